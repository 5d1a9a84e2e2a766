"""Differential fuzzing: random SQLMesh projects whose engine graph must equal SQLMesh's.

Each project is generated from (seed, index) alone, so a difference is reproduced by
`--seed S --only I --keep DIR`. A project mixes, at random: dialects, case and quoting of
identifiers, CTEs (also named like a real table, also nested), set operations, subqueries in
FROM/WHERE/SELECT, joins, comments and strings that look like tables, @DEF, @VAR, global and
gateway variables, @{var} interpolation, @IF (with @runtime_stage), @EACH, @UNION, @this_model,
blueprints, Jinja queries, Python models with explicit depends_on, the `depends_on` property,
several gateways (variables, model_defaults, DuckDB catalogs), external_models.yaml, model
defaults, crons, interval units, kinds and tags.

Both sides read the same folder: SQLMesh with sqlmesh_dag_generator.build.sqlmesh_graph.load_outcome
(as fidelity/test_fidelity.py does; worker processes import SQLMesh once and load many projects)
and the engine through one JVM (sqlmesh_dag_generator.build.engine.GraphSession, the `graph --format
json` code path). Differences are computed by sqlmesh_dag_generator.build.verify.model_differences.

Usage: python fidelity/fuzz.py --projects N --seed S [--keep DIR] [--only I] [--workers W]
Exit 1 on any difference (or a project SQLMesh refuses: that is a generator bug).

Deliberately not generated (see fidelity/README.md, "Where the engine differs on purpose"): macro
variables that stay unfilled inside a table name (undefined, or used only in another case), `@@`
escapes in names, and `FROM @VAR('undefined')`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import json
import logging
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "python-shim"))

from sqlmesh_dag_generator.build.engine import GraphSession  # noqa: E402
from sqlmesh_dag_generator.build.sqlmesh_graph import load_outcome  # noqa: E402
from sqlmesh_dag_generator.build.verify import model_differences  # noqa: E402

DIALECTS = ("duckdb", "postgres", "snowflake", "bigquery", "tsql", "spark", "databricks", "mysql", "redshift",
            "trino", "clickhouse")
# The identifier quotes each dialect's tokenizer accepts.
QUOTES = {
    "duckdb": ['""'], "postgres": ['""'], "snowflake": ['""'], "redshift": ['""'], "trino": ['""'],
    "bigquery": ["``"], "spark": ["``"], "databricks": ["``"], "mysql": ["``"],
    "tsql": ["[]", '""'], "clickhouse": ['""', "``"],
}
CRONS = {  # cron -> its period in seconds, which bounds the interval_unit SQLMesh accepts
    "@hourly": 3600, "@daily": 86400, "@weekly": 604800, "@monthly": 2419200, "@yearly": 31536000,
    "*/15 * * * *": 900, "0 */6 * * *": 21600, "0 3 * * *": 86400, "30 2 * * 1": 604800, "0 0 1 * *": 2419200,
    "*/5 * * * *": 300,
    # croniter's grammar and six/seven-field crons (seconds, year), as SQLMesh accepts them; no unit checked
    "0 21-3/2 * * *": None, "0 0 * * sat-sun": None, "0 0 15W * *": None, "*/5 * * * * 0": None,
    "0 6 * * MON 59 2025-2099": None,
}
PLAIN_CRONS = [c for c, period in CRONS.items() if period]
# Dialects whose strings take backslash escapes ('it\'s' is one string), from sqlglot's tokenizers.
BACKSLASH_ESCAPES = {"bigquery", "spark", "databricks", "clickhouse", "snowflake", "redshift", "mysql"}
INTERVAL_UNITS = {"year": 31536000, "month": 2419200, "day": 86400, "hour": 3600, "half_hour": 1800,
                  "quarter_hour": 900, "five_minute": 300}
KINDS = ["FULL", "VIEW", "full", "INCREMENTAL_BY_TIME_RANGE (time_column ds)",
         "INCREMENTAL_BY_UNIQUE_KEY (unique_key id)", "INCREMENTAL_UNMANAGED", "EMBEDDED",
         "SCD_TYPE_2_BY_TIME (unique_key id)", "VIEW (materialized true)", None]
RAW_TABLES = ["events", "users", "orders", "Payments", "items"]
SCHEMAS = ["s", "mart", "Stg"]


@dataclasses.dataclass(frozen=True)
class Table:
    """A table a query may read: a model, an external model, or a raw table nobody declares."""

    schema: str
    name: str
    catalog: str | None = None


class ProjectGenerator:
    """One random project, files as {relative path: text}."""

    def __init__(self, seed: int, index: int) -> None:
        self.rng = random.Random(f"{seed}:{index}")
        self.files: dict[str, str] = {}
        self.tables: list[Table] = [Table("raw", n) for n in self.rng.sample(RAW_TABLES, 3)]
        self.variables: dict[str, str] = {}
        self.default_dialect = "duckdb"
        self.gateways: list[str] = []

    # ------------------------------------------------------------ identifiers

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def ident(self, name: str, dialect: str, quote: float = 0.2) -> str:
        """`name` in a random case, sometimes quoted with one of the dialect's identifier quotes."""
        roll = self.rng.random()
        if roll < 0.15:
            name = name.upper()
        elif roll < 0.25:
            name = name[:1].upper() + name[1:]
        if self.chance(quote):
            left, right = self.rng.choice(QUOTES[dialect])
            return f"{left}{name}{right}"
        return name

    def table_ref(self, table: Table, dialect: str) -> str:
        if dialect == "bigquery" and table.catalog is None and self.chance(0.1):
            return f"`{table.schema}.{table.name}`"  # one pair of backticks around the whole path
        parts = ([table.catalog] if table.catalog else []) + [table.schema, table.name]
        return ".".join(self.ident(p, dialect) for p in parts)

    # ------------------------------------------------------------ queries

    def pick_table(self) -> Table:
        return self.rng.choice(self.tables)

    def from_item(self, q: "QueryContext", depth: int) -> str:
        roll = self.rng.random()
        if q.ctes and roll < 0.3:
            return self.ident(self.rng.choice(q.ctes), q.dialect, quote=0.1)
        if depth < 2 and roll < 0.45:
            return f"({self.select(q, depth + 1)})"
        if q.macros and roll < 0.65:
            return self.rng.choice(q.macros)(q)
        return self.table_ref(self.pick_table(), q.dialect)

    def dialect_item(self, q: "QueryContext", alias: str) -> str | None:
        """A FROM item only some dialects have, which reads no table (or a file, in DuckDB)."""
        if not self.chance(0.15):
            return None
        d = q.dialect
        if d == "bigquery":
            return f", UNNEST({alias}.arr) AS u_{alias}" if self.chance(0.5) else f", {alias}.arr"  # implicit UNNEST
        # (Snowflake's LATERAL FLATTEN is left out: SQLMesh 0.236.4 writes `input => input =>` when it regenerates
        # such a query after substituting a macro, and then refuses it)
        if d == "duckdb":
            return f" JOIN 'data/{alias}.parquet' AS file_{alias} ON TRUE"  # SQLMesh lists the file as a table
        if d == "postgres":
            return f" CROSS JOIN LATERAL (SELECT * FROM raw.lateral_src AS l WHERE l.id = {alias}.id) AS lat_{alias}"
        if d == "tsql":
            return f" JOIN raw.hinted AS h_{alias} WITH (NOLOCK) ON h_{alias}.id = {alias}.id"
        if d == "clickhouse":
            return f" ARRAY JOIN {alias}.arr AS a_{alias}"
        return f" JOIN (VALUES (1), (2)) AS v_{alias}(id) ON v_{alias}.id = {alias}.id"

    def condition(self, q: "QueryContext", alias: str, depth: int) -> str:
        roll = self.rng.random()
        if depth < 2 and roll < 0.25:
            return f"{alias}.id IN (SELECT id FROM {self.from_item(q, depth + 1)} AS w{depth})"
        if depth < 2 and roll < 0.4:
            return f"EXISTS (SELECT 1 FROM {self.from_item(q, depth + 1)} AS e{depth} WHERE e{depth}.id = {alias}.id)"
        if q.sqlmesh and roll < 0.5:
            other = self.table_ref(self.pick_table(), q.dialect)
            return (f"{alias}.id IN (@IF(@runtime_stage = 'loading', (SELECT id FROM {other}), (SELECT 1)))"
                    if self.chance(0.5) else f"{alias}.kind IN (@EACH(['a', 'b'], x -> x))")
        if roll < 0.55:
            return f"{alias}.note <> 'FROM raw.not_a_table'"
        if roll < 0.6:
            # a quote escaped inside a string, each dialect's way: the text after it must still be read as SQL
            escaped = "'it\\'s FROM raw.in_a_string'" if q.dialect in BACKSLASH_ESCAPES else "'it''s JOIN raw.x'"
            return f"{alias}.note <> {escaped} AND {alias}.id > 0"
        if q.sqlmesh and roll < 0.7:
            return f"{alias}.id > @VAR('limit_rows') AND {alias}.note <> @VAR('missing', 'fallback')"
        if q.sqlmesh and q.intervals and roll < 0.75:
            return f"{alias}.ds BETWEEN @start_ds AND @end_ds"  # only kinds with intervals define them
        return f"{alias}.id > 0"

    def select(self, q: "QueryContext", depth: int = 0) -> str:
        with_clause = ""
        saved = list(q.ctes)
        if depth < 2 and self.chance(0.3):
            ctes = []
            for k in range(self.rng.randint(1, 2)):
                # A CTE named like a table the project has: inside the query the name means the CTE.
                name = self.pick_table().name.lower() if self.chance(0.4) else f"cte_{depth}_{k}"
                if name in q.ctes:
                    name = f"cte_{depth}_{k}_{len(q.ctes)}"
                body = self.select(q, depth + 1)
                ctes.append(f"{self.ident(name, q.dialect, quote=0.1)} AS ({body})")
                q.ctes.append(name)
            with_clause = "WITH " + ", ".join(ctes) + " "
        alias = f"t{depth}"
        projection = self.rng.choice(["*", f"{alias}.id, {alias}.ds", f"{alias}.id AS id, {alias}.ds AS ds"])
        if depth == 0 and self.chance(0.15):
            projection += f", (SELECT MAX(id) FROM {self.from_item(q, depth + 1)} AS sq) AS mx"
        sql = f"SELECT {projection} FROM {self.from_item(q, depth)} AS {alias}"
        for j in range(self.rng.choice([0, 0, 1, 2])):
            kind = self.rng.choice(["JOIN", "LEFT JOIN", "INNER JOIN", "CROSS JOIN", ",", "USING"])
            other = f"j{depth}_{j}"
            if kind == "CROSS JOIN":
                sql += f" CROSS JOIN {self.from_item(q, depth)} AS {other}"
            elif kind == ",":
                sql += f", {self.from_item(q, depth)} AS {other}"  # a comma join
            elif kind == "USING":
                sql += f" JOIN {self.from_item(q, depth)} AS {other} USING (id)"
            else:
                sql += f" {kind} {self.from_item(q, depth)} AS {other} ON {other}.id = {alias}.id"
        extra = self.dialect_item(q, alias)
        if extra:
            sql += extra
        if self.chance(0.4):
            sql += f" WHERE {self.condition(q, alias, depth)}"
        if (depth == 0 and self.chance(0.2)) or (depth == 1 and self.chance(0.1)):
            op = self.rng.choice(["UNION ALL", "UNION ALL", "EXCEPT", "INTERSECT"])
            if q.dialect in ("bigquery", "clickhouse") and op != "UNION ALL":
                op += " DISTINCT"  # BigQuery and ClickHouse spell the set operation's quantifier
            sql += f" {op} SELECT * FROM {self.from_item(q, depth + 1)} AS u{depth}"
        q.ctes[:] = saved if depth else q.ctes
        return with_clause + sql

    # ------------------------------------------------------------ project

    def generate(self) -> dict[str, str]:
        rng = self.rng
        self.default_dialect = rng.choice(DIALECTS)
        self.write_config()
        if self.chance(0.5):
            self.write_externals()
        for i in range(rng.randint(2, 7)):
            roll = rng.random()
            if roll < 0.1:
                self.python_model(i)
            elif roll < 0.2:
                self.jinja_model(i)
            elif roll < 0.3:
                self.blueprint_model(i)
            else:
                self.sql_model(i)
        return self.files

    def write_config(self) -> None:
        rng = self.rng
        lines = ["gateways:"]
        names = rng.sample(["local", "dev", "prod"], rng.randint(1, 2))
        for name in names:
            lines += [f"  {name}:", "    connection:", "      type: duckdb"]
            if self.chance(0.3):
                lines.append(f"      database: {name}_db.duckdb")  # the file's stem becomes the catalog
            if self.chance(0.4):
                lines += ["    variables:", f"      src_schema: {name}_src"]
            if self.chance(0.3):
                lines += ["    model_defaults:", f"      cron: '{rng.choice(PLAIN_CRONS)}'"]
        self.gateways = names
        if len(names) > 1 or self.chance(0.5):
            lines.append(f"default_gateway: {rng.choice(names)}")
        lines += ["model_defaults:", f"  dialect: {self.default_dialect}", "  start: '2024-01-01'"]
        if self.chance(0.3):
            lines.append(f"  cron: '{rng.choice(PLAIN_CRONS)}'")
        if len(names) > 1 and self.chance(0.15):
            lines.append(f"  gateway: {rng.choice(names)}")  # every model without its own gateway uses this one
        if self.chance(0.2):
            lines.append("  kind: FULL")  # SQLMesh 0.236.4 does not apply it: a model without kind stays a VIEW
        self.variables = {"src_schema": "landing", "tenant": rng.choice(["acme", "Globex"]),
                          "limit_rows": str(rng.randint(1, 9))}
        lines.append("variables:")
        lines += [f"  {k}: {v}" for k, v in self.variables.items()]
        lines.append("  regions: [eu, us]")
        self.files["config.yaml"] = "\n".join(lines) + "\n"

    def write_externals(self) -> None:
        entries, names = [], self.rng.sample(["customers", "accounts", "rates"], 2)
        for name in names:
            entries.append(f"- name: ext.{name}\n  columns:\n    id: INT\n    ds: DATE\n")
            self.tables.append(Table("ext", name))
        self.files["external_models.yaml"] = "".join(entries)

    def model_properties(self, dialect: str | None, plain_kind: bool = False) -> list[str]:
        rng = self.rng
        props = []
        kind = rng.choice(["FULL", "VIEW", None] if plain_kind else KINDS)
        if kind:
            props.append(f"kind {kind}")
        if dialect:
            props.append(f"dialect {dialect}")
        cron = None
        if self.chance(0.5):
            cron = rng.choice(list(CRONS))
            props.append(f"cron '{cron}'")
        if cron and CRONS[cron] and self.chance(0.4):
            unit = rng.choice([u for u, s in INTERVAL_UNITS.items() if s <= CRONS[cron]])
            props.append(f"interval_unit {unit}")
        if self.chance(0.4):
            props.append("tags [" + ", ".join(rng.sample(["finance", "core", "pii", "daily"], rng.randint(1, 2))) + "]")
        if len(self.gateways) > 1 and self.chance(0.15):
            props.append(f"gateway {rng.choice(self.gateways)}")  # the model's own gateway names its catalog
        if self.chance(0.1):
            extra = [self.table_ref(self.pick_table(), dialect or self.default_dialect) for _ in range(2)]
            # SQLMesh 0.236.4 refuses a one-element list `[a]` here, and T-SQL reads `[...]` as a quoted name
            brackets = self.chance(0.5) and (dialect or self.default_dialect) != "tsql"
            props.append(f"depends_on [{', '.join(extra)}]" if brackets else f"depends_on ({extra[0]})")
        return props

    def sql_model(self, i: int) -> None:
        rng = self.rng
        dialect = rng.choice(DIALECTS) if self.chance(0.25) else None
        q = QueryContext(dialect or self.default_dialect, sqlmesh=True)
        statements = []
        if self.chance(0.3):
            target = self.pick_table()
            statements.append(f"@DEF(src_{i}, {self.table_ref(target, q.dialect)})")
            q.macros.append(lambda q, v=f"src_{i}": f"@{v}")
        q.macros.append(lambda q: f"@src_schema.{self.ident(self.pick_table().name, q.dialect, 0)}")
        q.macros.append(lambda q: f"raw_@{{tenant}}.{self.ident(self.pick_table().name, q.dialect, 0)}")
        # inside a quoted name, in lower case as the variable is defined (another case is left unfilled)
        q.macros.append(lambda q: "{0}@src_schema{1}.{2}".format(*self.rng.choice(QUOTES[q.dialect]),
                                                                 self.pick_table().name))
        q.macros.append(lambda q: "@IF({}, {}, {})".format(
            self.rng.choice(["1 > 2", "@VAR('limit_rows') > 3", "@gateway = 'dev'", "@runtime_stage = 'loading'",
                             "@IF(TRUE, FALSE, TRUE)", "@VAR('missing') IS NULL"]),
            self.table_ref(self.pick_table(), q.dialect), self.table_ref(self.pick_table(), q.dialect)))
        # a template inside a quoted name
        q.macros.append(lambda q: "{0}raw_@{{tenant}}{1}.{2}".format(*self.rng.choice(QUOTES[q.dialect]),
                                                                     self.pick_table().name))
        # @UNION reads its tables' columns at load time: only external models declare them
        externals = [t for t in self.tables if t.schema == "ext"]
        union = bool(externals) and dialect is None and self.chance(0.15)
        schema = rng.choice(SCHEMAS)
        name = f"m{i}"
        written = self.table_ref(Table(schema, name), q.dialect)
        if self.chance(0.1):
            # a variable interpolated into the model's own name
            written, name = f"{schema}.m{i}_@{{tenant}}", f"m{i}_{self.variables['tenant']}"
        # @UNION's columns come from its tables, which need not hold the time column an incremental kind needs
        props = [f"name {written}"] + self.model_properties(dialect, union)
        q.intervals = not any(p.startswith(("kind FULL", "kind full", "kind VIEW")) for p in props) and any(
            p.startswith("kind ") for p in props)
        if union:
            # written as declared: another case or quoting would name a table without a known schema
            query = "@UNION('all', {})".format(", ".join(f"ext.{rng.choice(externals).name}" for _ in range(2)))
        else:
            query = self.select(q)
        if self.chance(0.2):
            query = f"/* FROM raw.in_a_comment */ {query} -- JOIN raw.trailing_comment\n"
        post = []
        if self.chance(0.1):
            # a post-statement reads tables too, but only the query makes dependencies
            post.append(f"INSERT INTO ops.audit SELECT COUNT(*) FROM {self.table_ref(self.pick_table(), q.dialect)}")
        if self.chance(0.05):
            props.append("enabled false")  # SQLMesh leaves a disabled model out
        body = ";\n".join(statements + [query] + post)
        self.files[f"models/m{i}.sql"] = f"MODEL ({', '.join(props)});\n{body}\n"
        self.tables.append(Table(schema, name))

    def jinja_model(self, i: int) -> None:
        rng = self.rng
        schema, name = rng.choice(SCHEMAS), f"j{i}"
        a, b = self.pick_table(), self.pick_table()
        d = self.default_dialect
        parts = [f"SELECT * FROM {{{{ '{a.schema}.{a.name}' }}}} AS a"]
        if self.chance(0.5):
            parts.append(f"{{% if {rng.choice(['true', 'false'])} %}} JOIN {self.table_ref(b, d)} AS b ON a.id = b.id"
                         f" {{% else %}} JOIN {{{{ var('src_schema') }}}}.{b.name} AS b ON a.id = b.id {{% endif %}}")
        if self.chance(0.4):
            parts.append("{% for r in ['x', 'y'] %} JOIN raw.part_{{ r }} AS p_{{ r }} ON p_{{ r }}.id = a.id"
                         " {% endfor %}")
        if self.chance(0.3):
            parts.append("{% for r in var('regions') %} LEFT JOIN raw.sales_{{ r }} AS s_{{ r }} ON s_{{ r }}.id = a.id"
                         "{% if not loop.last %} {% endif %}{% endfor %}")
        if self.chance(0.3):
            c = self.pick_table()
            parts.insert(0, f"{{% set src = '{c.schema}.{c.name}' %}}")
            parts.append("JOIN {{ src }} AS c ON c.id = a.id")
        if self.chance(0.2):
            parts.append("JOIN {{ var('missing', 'fallback') }}.things AS f ON f.id = a.id")
        if self.chance(0.2):
            parts.append("WHERE a.id > @VAR('limit_rows')")  # a SQLMesh macro in the rendered Jinja
        props = [f"name {schema}.{name}"] + self.model_properties(None)
        self.files[f"models/{name}.sql"] = (f"MODEL ({', '.join(props)});\nJINJA_QUERY_BEGIN;\n"
                                            + "\n".join(parts) + "\nJINJA_END;\n")
        self.tables.append(Table(schema, name))

    def blueprint_model(self, i: int) -> None:
        rng = self.rng
        schema, d = rng.choice(SCHEMAS), self.default_dialect
        keys = rng.sample(["north", "south", "east"], 2)
        sources = [self.pick_table() for _ in keys]
        rows = ", ".join(f"(region := {k}, src := {self.table_ref(s, d)})" for k, s in zip(keys, sources))
        props = [f"name {schema}.b{i}_@{{region}}", f"blueprints ({rows})"] + self.model_properties(None)
        self.files[f"models/b{i}.sql"] = (f"MODEL ({', '.join(props)});\n"
                                          f"SELECT id, ds, @region AS region FROM @src AS s\n")
        for k in keys:
            self.tables.append(Table(schema, f"b{i}_{k}"))

    def python_model(self, i: int) -> None:
        rng = self.rng
        schema, name = rng.choice(SCHEMAS), f"py{i}"
        deps = [f"{t.schema}.{t.name}" if self.chance(0.8) else f'"{t.schema}"."{t.name}"'
                for t in rng.sample(self.tables, min(len(self.tables), rng.randint(1, 3)))]
        full_name = f"{schema}.{name}"
        extra = []
        if self.chance(0.3):
            # Python blueprints: @{var} in the name and in depends_on, a whole "@src" naming a table
            keys = rng.sample(["north", "south", "east"], 2)
            sources = [self.pick_table() for _ in keys]
            extra.append("blueprints=" + json.dumps([{"region": k, "src": f"{t.schema}.{t.name}"}
                                                     for k, t in zip(keys, sources)]))
            full_name += "_@{region}"
            # in Snowflake a lone "@src" is a stage path whose value SQLMesh lists as a string literal, a name the
            # engine leaves out on purpose (fidelity/README.md); "@{src}" names the table
            deps += ["@{src}" if self.default_dialect == "snowflake" else "@src", "raw.@{region}_stock"]
        args = [f'"{full_name}"', 'kind="FULL"',
                'columns={"id": "int", "ds": "date"}', f"depends_on={json.dumps(deps)}", *extra]
        if self.chance(0.5):
            args.append(f'cron="{rng.choice(list(CRONS))}"')
        if self.chance(0.5):
            args.append(f'tags={json.dumps(rng.sample(["py", "core"], rng.randint(1, 2)))}')
        self.files[f"models/{name}.py"] = textwrap.dedent("""\
            import typing as t
            from datetime import datetime

            import pandas as pd
            from sqlmesh import ExecutionContext, model


            @model(
                {args},
            )
            def execute(context: ExecutionContext, start: datetime, end: datetime, execution_time: datetime,
                        **kwargs: t.Any) -> pd.DataFrame:
                return pd.DataFrame({{"id": [1], "ds": [start]}})
            """).format(args=",\n    ".join(args))
        if "_@{region}" in full_name:
            self.tables += [Table(schema, f"{name}_{k}") for k in keys]
        else:
            self.tables.append(Table(schema, name))


@dataclasses.dataclass
class QueryContext:
    dialect: str
    sqlmesh: bool
    intervals: bool = False
    ctes: list = dataclasses.field(default_factory=list)
    macros: list = dataclasses.field(default_factory=list)


def generate(seed: int, index: int) -> dict[str, str]:
    return ProjectGenerator(seed, index).generate()


def write(files: dict[str, str], folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)  # a kept folder from an earlier run must not leave stale models behind
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


# ------------------------------------------------------------ running both sides

def _sqlmesh_batch(folders: list[str]) -> list[tuple[str, object]]:
    # SQLMesh logs warnings and errors with tracebacks; the outcome carries its verdict.
    logging.disable(logging.CRITICAL)
    return [load_outcome(folder) for folder in folders]


@dataclasses.dataclass
class Outcome:
    index: int
    models: int = 0
    refused: str | None = None
    differences: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    sqlmesh: dict | None = None
    engine: dict | None = None
    problems: list[str] = dataclasses.field(default_factory=list)


def run(seed: int, indices: list[int], root: Path, workers: int) -> list[Outcome]:
    folders = {i: write(generate(seed, i), root / f"p{i:05d}") for i in indices}
    chunk = max(1, min(25, len(indices) // max(1, workers * 4)))
    batches = [indices[k:k + chunk] for k in range(0, len(indices), chunk)]
    context = multiprocessing.get_context("spawn")  # a fresh interpreter per worker, SQLMesh imported once each
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_sqlmesh_batch, [str(folders[i]) for i in batch]) for batch in batches]
        with GraphSession() as engine:  # meanwhile, the engine reads every project in one JVM
            engine_results = {i: engine.graph(folders[i]) for i in indices}
        sqlmesh_results = {}
        for batch, future in zip(batches, futures):
            sqlmesh_results.update(zip(batch, future.result()))
    outcomes = []
    for i in indices:
        status, expected = sqlmesh_results[i]
        result = engine_results[i]
        outcome = Outcome(i, problems=result.problems, engine=result.graph)
        if status != "ok":
            outcome.refused = str(expected)
        else:
            outcome.sqlmesh = expected
            outcome.models = len(expected["models"])
            if result.graph is None:
                outcome.differences = {"<project>": [f"engine exit {result.returncode}: " + "; ".join(result.problems)]}
            else:
                outcome.differences = model_differences(expected, result.graph)
        outcomes.append(outcome)
    return outcomes


def report(seed: int, outcomes: list[Outcome], out=sys.stdout) -> int:
    differing = [o for o in outcomes if o.differences]
    refused = [o for o in outcomes if o.refused]
    for o in differing:
        print(f"seed {seed} project {o.index}:", file=out)
        for fqn, lines in o.differences.items():
            for line in lines:
                print(f"  {line}", file=out)
            sides = {"SQLMesh": (o.sqlmesh or {}).get("models", {}).get(fqn),
                     "engine": (o.engine or {}).get("models", {}).get(fqn)}
            for side, entry in sides.items():
                print(f"    {side}: {json.dumps(entry, sort_keys=True)}", file=out)
        for problem in o.problems:
            print(f"    engine: {problem}", file=out)
    for o in refused:
        print(f"seed {seed} project {o.index}: SQLMesh refuses the generated project (generator bug): {o.refused}",
              file=out)
    models = sum(o.models for o in outcomes)
    model_diffs = sum(len(o.differences) for o in differing)
    print(f"fuzz: seed {seed}, {len(outcomes)} projects, {models} models, {model_diffs} differing models in "
          f"{len(differing)} projects, {len(refused)} projects SQLMesh refused", file=out)
    return 1 if differing or refused else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100, help="how many projects (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="seed; the same seed generates the same projects")
    parser.add_argument("--only", type=int, action="append", help="only project I of the seed (repeatable)")
    parser.add_argument("--keep", type=Path, help="write the projects here and keep them (default: a temp folder)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("FIDELITY_WORKERS", "2")),
                        help="SQLMesh worker processes (default $FIDELITY_WORKERS or 2)")
    args = parser.parse_args(argv)
    indices = args.only or list(range(args.projects))
    started = time.monotonic()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        outcomes = run(args.seed, indices, args.keep, args.workers)
    else:
        with tempfile.TemporaryDirectory(prefix="sqlmesh-fuzz-") as tmp:
            outcomes = run(args.seed, indices, Path(tmp), args.workers)
    code = report(args.seed, outcomes)
    print(f"fuzz: {time.monotonic() - started:.0f}s", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
