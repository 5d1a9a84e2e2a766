"""Prints how SQLMesh itself splits model files: reads a JSON list of texts on stdin, writes a JSON list."""
import json
import sys
from pathlib import Path

from sqlmesh.core import dialect as d
from sqlmesh.core.model.definition import _split_sql_model_statements, load_sql_based_models


def describe(text):
    try:
        # Loading decides whether SQLMesh accepts the file; splitting gives the statement texts.
        load_sql_based_models(d.parse(text, default_dialect="duckdb"), get_variables=lambda _: {},
                              path=Path("models/m.sql"), dialect="duckdb", infer_names=True)
        expressions = d.parse(text, default_dialect="duckdb")
        meta = expressions[0] if expressions and isinstance(expressions[0], d.Model) else None
        body = expressions[1:] if meta is not None else expressions
        query, pre, post, _, _ = _split_sql_model_statements(body, None, dialect="duckdb")
        return {
            "properties": [p.name.lower() for p in (meta.expressions if meta is not None else [])],
            "query": None if query is None or isinstance(query, d.JinjaQuery) else query.meta.get("sql"),
            "pre": [s.meta.get("sql").rstrip(";") for s in pre],
            "post": [s.meta.get("sql").rstrip(";") for s in post],
        }
    except Exception as e:  # the Java side only needs to know that SQLMesh rejects the text
        return {"error": type(e).__name__ + ": " + str(e).splitlines()[0]}


print(json.dumps([describe(t) for t in json.load(sys.stdin)]))
