"""What SQLMesh declares for each model of some projects, against the engine's spec (ModelDocsTest).

stdin: {"projects": [{"path": "...", "models": {fqn: {"python", "grains", "columns", "column_descriptions"}}}]}
stdout: {"differences": [...], "compared": {"grains": n, "columns": n, "column_descriptions": n}}

A project is loaded from a temporary copy, from inside it (DuckDB paths are relative). An engine type is the
same as SQLMesh's when sqlglot reads the two as the same type in the model's dialect.
"""
import json
import os
import shutil
import sys
import tempfile

os.environ["SQLMESH__DISABLE_ANONYMIZED_ANALYTICS"] = "1"
# one process: SQLMesh's worker pool would start from this script, which reads its request from stdin
os.environ["MAX_FORK_WORKERS"] = "1"

from sqlglot import exp  # noqa: E402
from sqlmesh import Context  # noqa: E402

request = json.load(sys.stdin)
differences = []
compared = {"grains": 0, "columns": 0, "column_descriptions": 0}
for project in request["projects"]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "p")
        shutil.copytree(project["path"], copy, ignore=shutil.ignore_patterns(".cache", "*.duckdb*", "logs"))
        cwd = os.getcwd()
        os.chdir(copy)
        try:
            models = Context(paths=copy).models
        finally:
            os.chdir(cwd)
    for fqn, ours in project["models"].items():
        model = models[fqn]
        dialect = model.dialect
        where = f"{project['path']} {fqn}"
        if ours["grains"] is not None:
            theirs = [g.sql(dialect=dialect) for g in model.grains]
            compared["grains"] += len(theirs)
            if ours["grains"] != theirs:
                differences.append(f"{where} grains: engine {ours['grains']}, sqlmesh {theirs}")
        declared = model.columns_to_types_
        if ours["columns"] is None:
            if declared is not None:
                differences.append(f"{where} columns: engine none, sqlmesh declares {list(declared)}")
        else:
            theirs = {k: v.sql(dialect=dialect) for k, v in (declared or {}).items()}
            mine = {k: exp.DataType.build(v, dialect=dialect, udt=True).sql(dialect=dialect)
                    for k, v in ours["columns"].items()}
            compared["columns"] += len(theirs)
            if mine != theirs:
                differences.append(f"{where} columns: engine {ours['columns']}, sqlmesh {theirs}")
        theirs = model.column_descriptions_
        # the engine does not read a Python model's descriptions in a case-keeping dialect: null is allowed there
        if ours["column_descriptions"] is not None or (theirs and not ours["python"]):
            compared["column_descriptions"] += len(theirs or {})
            if ours["column_descriptions"] != theirs:
                differences.append(f"{where} column_descriptions: engine {ours['column_descriptions']}, "
                                   f"sqlmesh {theirs}")
json.dump({"differences": differences, "compared": compared}, sys.stdout)
