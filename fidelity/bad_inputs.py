"""A corpus of broken SQLMesh projects, each one small change to one working base project.

Every variant says what a user must be shown: the file (and line, where there is one) and a
word the message must use, and whether the pinned SQLMesh refuses the project. The tests
(fidelity/test_bad_inputs.py for the CLI and SQLMesh, python-shim/tests/test_bad_input_dagbag.py
for Airflow's DagBag) build each variant in a temporary folder with ``build``.

Variants that need something git cannot hold (a symlink, an unreadable file, a folder named like
a model file) do it in ``setup``.
"""

from __future__ import annotations

import dataclasses
import os
import typing as t
from pathlib import Path

BASE: dict[str, str] = {
    "config.yaml": (
        "gateways:\n"
        "  local:\n"
        "    connection:\n"
        "      type: duckdb\n"
        "default_gateway: local\n"
        "model_defaults:\n"
        "  dialect: duckdb\n"
        "  start: '2024-01-01'\n"
    ),
    "models/base.sql": "MODEL (name s.base, kind FULL, cron '@daily');\nSELECT 1 AS id\n",
    "models/child.sql": "MODEL (name s.child, kind FULL);\nSELECT id FROM s.base\n",
    "macros/helpers.py": (
        "from sqlmesh import macro\n"
        "\n"
        "\n"
        "@macro()\n"
        "def one(evaluator):\n"
        "    return 1\n"
    ),
}

PY_MODEL = (
    "import typing as t\n"
    "from datetime import datetime\n"
    "\n"
    "import pandas as pd\n"
    "from sqlmesh import ExecutionContext, model\n"
    "\n"
    "\n"
    "@model(\"s.py_model\", kind=\"FULL\", columns={\"id\": \"int\"})\n"
    "def execute(context: ExecutionContext, start: datetime, end: datetime, execution_time: datetime,\n"
    "            **kwargs: t.Any) -> pd.DataFrame:\n"
    "    return pd.DataFrame([{\"id\": 1}])\n"
)


CONFIG_PY = (
    "from sqlmesh.core.config import Config, GatewayConfig, ModelDefaultsConfig, DuckDBConnectionConfig\n"
    "\n"
    "config = Config(\n"
    "    gateways={\"local\": GatewayConfig(connection=DuckDBConnectionConfig())},\n"
    "    default_gateway=\"local\",\n"
    "    model_defaults=ModelDefaultsConfig(dialect=\"duckdb\", start=\"2024-01-01\"),\n"
    ")\n"
)


def _model(body: str, name: str = "s.broken", props: str = "kind FULL") -> str:
    return f"MODEL (name {name}, {props});\n{body}\n"


def _config(extra: str = "", dialect: str = "duckdb", model_defaults_extra: str = "") -> str:
    return ("gateways:\n  local:\n    connection:\n      type: duckdb\ndefault_gateway: local\n"
            f"model_defaults:\n  dialect: {dialect}\n  start: '2024-01-01'\n{model_defaults_extra}{extra}")


def _symlink(rel: str, target: str) -> t.Callable[[Path], None]:
    def setup(project: Path) -> None:
        os.symlink(target, project / rel)
    return setup


def _chmod(rel: str, mode: int) -> t.Callable[[Path], None]:
    def setup(project: Path) -> None:
        os.chmod(project / rel, mode)
    return setup


def _folder(rel: str, files: dict[str, str] | None = None) -> t.Callable[[Path], None]:
    def setup(project: Path) -> None:
        (project / rel).mkdir(parents=True)
        for name, text in (files or {}).items():
            (project / rel / name).write_text(text)
    return setup


def _deep_nesting(depth: int) -> str:
    return _model("SELECT id FROM " + "(SELECT id FROM " * depth + "s.base" + ") AS q" * depth)


@dataclasses.dataclass(frozen=True)
class Variant:
    """One broken project: the base with ``files`` written (None deletes) and ``setup`` applied."""

    name: str
    files: dict[str, str | bytes | None]
    # The file a user must be pointed at (relative to the project; "" is the project folder itself), its
    # line (None where the problem has none), and a regular expression the message must match.
    file: str
    line: int | None
    wording: str
    # What the pinned SQLMesh does with the project: "refuses" or "loads".
    sqlmesh: str = "refuses"
    setup: t.Callable[[Path], None] | None = None
    # The variant means nothing when the tests run as root (root reads files whatever their mode).
    needs_non_root: bool = False
    # How the project path is given: "folder" (the project), "file" (a file instead of a folder),
    # "missing" (a path where nothing exists).
    path_kind: str = "folder"
    # What the engine does: "refuses" (an error naming the file), "warns" (a warning naming the file: the
    # engine cannot be sure, SQLMesh refuses), "loads", or "cannot_know" (SQLMesh refuses only while executing
    # the project's Python; `sqlmesh-dag verify` reports it). None: "refuses" when SQLMesh refuses, else "loads".
    engine: str | None = None
    # Extra files other than the one named must be mentioned (cycles, duplicates).
    also_names: tuple[str, ...] = ()
    # Why the engine does not refuse it yet although SQLMesh does: the tests expect the refusal and mark
    # the variant as an expected failure (strict, so that closing the gap shows).
    gap: str | None = None


VARIANTS: list[Variant] = [
    # --- Python files: SQLMesh imports every macro and Python model file, and config.py
    Variant("macro-syntax-error", {"macros/helpers.py": "from sqlmesh import macro\n\n@macro()\ndef one(evaluator)\n    return 1\n"},
            "macros/helpers.py", 4, r"syntax"),
    Variant("macro-indentation-error", {"macros/helpers.py": "from sqlmesh import macro\n\n@macro()\ndef one(evaluator):\nreturn 1\n"},
            "macros/helpers.py", 5, r"indent"),
    Variant("macro-tab-space-mix", {"macros/helpers.py": "from sqlmesh import macro\n\n@macro()\ndef one(evaluator):\n    x = 1\n\treturn x\n"},
            "macros/helpers.py", 6, r"indent|tab"),
    Variant("macro-in-subfolder-syntax-error", {"macros/more/extra.py": "def broken(:\n    pass\n"},
            "macros/more/extra.py", 1, r"syntax|never closed|invalid"),
    Variant("python-model-syntax-error", {"models/py_model.py": PY_MODEL.replace("def execute(", "def execute(((")},
            "models/py_model.py", 9, r"syntax|never closed|invalid|closing"),
    Variant("python-model-unterminated-string", {"models/py_model.py": PY_MODEL.replace('"s.py_model"', '"s.py_model')},
            "models/py_model.py", 8, r"string|syntax"),
    Variant("python-model-raises-on-import", {"models/py_model.py": PY_MODEL + "\nraise RuntimeError('configuration missing')\n"},
            "models/py_model.py", None, r"configuration missing", engine="cannot_know"),
    Variant("python-model-missing-package", {"models/py_model.py": "import package_that_is_not_installed\n" + PY_MODEL},
            "models/py_model.py", 1, r"package_that_is_not_installed", engine="warns"),
    Variant("macro-missing-package", {"macros/helpers.py": "from package_that_is_not_installed import thing\n" + BASE["macros/helpers.py"]},
            "macros/helpers.py", 1, r"package_that_is_not_installed", engine="warns"),
    Variant("config-py-raises", {"config.yaml": None,
                                 "config.py": "import os\nraise RuntimeError('set WAREHOUSE first')\n"},
            "config.py", 1, r"config = Config"),
    Variant("config-py-raises-after-config", {"config.yaml": None, "config.py": CONFIG_PY + "raise RuntimeError('set WAREHOUSE first')\n"},
            "config.py", None, r"WAREHOUSE", engine="cannot_know"),
    Variant("config-py-syntax-error", {"config.yaml": None,
                                       "config.py": "from sqlmesh.core.config import Config\nconfig = Config(\n"},
            "config.py", 2, r"syntax|never closed|closed"),
    Variant("python-model-non-utf8", {"models/py_model.py": PY_MODEL.encode() + b"# caf\xe9\n"},
            "models/py_model.py", 12, r"utf-?8|decode|encod"),
    # --- Jinja
    Variant("jinja-unclosed-if", {"models/broken.sql": _model("JINJA_QUERY_BEGIN;\nSELECT 1 AS id\n{% if true %}\nWHERE 1 = 1\nJINJA_END;")},
            "models/broken.sql", 4, r"jinja.*never closed.*endif"),
    Variant("jinja-unclosed-expression", {"models/broken.sql": _model("JINJA_QUERY_BEGIN;\nSELECT {{ 1 AS id\nJINJA_END;")},
            "models/broken.sql", 3, r"unclosed jinja '\{\{'"),
    Variant("jinja-unclosed-for", {"models/broken.sql": _model("JINJA_QUERY_BEGIN;\n{% for i in [1, 2] %}\nSELECT {{ i }} AS id\nJINJA_END;")},
            "models/broken.sql", 3, r"jinja.*never closed.*endfor"),
    Variant("jinja-unclosed-in-query", {"models/broken.sql": _model("SELECT id FROM s.base\n{% if true %}\nWHERE id = 1")},
            "models/broken.sql", 3, r"jinja '\{%' outside a jinja block"),
    Variant("jinja-unclosed-braces-in-query", {"models/broken.sql": _model("SELECT {{ 1 AS id FROM s.base")},
            "models/broken.sql", 2, r"jinja '\{\{' outside a jinja block"),
    Variant("jinja-stray-endif", {"models/broken.sql": _model("JINJA_QUERY_BEGIN;\nSELECT 1 AS id\n{% endif %}\nJINJA_END;")},
            "models/broken.sql", 4, r"jinja tag.*no opening block"),
    Variant("jinja-closed-in-plain-query", {"models/broken.sql": _model("SELECT id FROM s.base\n{% if true %}\nWHERE id = 1\n{% endif %}")},
            "models/broken.sql", 3, r"jinja '\{%' outside a jinja block"),
    Variant("jinja-macro-file-unclosed", {"macros/broken.sql": "{% macro greet() %}\nhello\n"},
            "macros/broken.sql", None, r"jinja|endmacro|unexpected|end of"),
    # --- Model properties
    Variant("start-unparseable", {"models/broken.sql": _model("SELECT 1 AS id", props="kind FULL, start 'not a date'")},
            "models/broken.sql", 1, r"start|date|time"),
    Variant("end-unparseable", {"models/broken.sql": _model("SELECT 1 AS id", props="kind FULL, end 'soon-ish'")},
            "models/broken.sql", 1, r"end|date|time"),
    Variant("start-unparseable-in-defaults", {"config.yaml": _config(model_defaults_extra="").replace("'2024-01-01'", "'yesterdayish'")},
            "models/base.sql", 1, r"model_defaults.start.*yesterdayish"),
    Variant("start-after-end", {"models/broken.sql": _model("SELECT 1 AS id", props="kind FULL, start '2024-02-01', end '2024-01-01'")},
            "models/broken.sql", 1, r"start|end"),
    Variant("unknown-kind", {"models/broken.sql": _model("SELECT 1 AS id", props="kind FULLISH")},
            "models/broken.sql", 1, r"kind"),
    Variant("incremental-without-time-column", {"models/broken.sql": _model("SELECT 1 AS id", props="kind INCREMENTAL_BY_TIME_RANGE")},
            "models/broken.sql", 1, r"needs 'time_column'"),
    Variant("unique-key-kind-without-key", {"models/broken.sql": _model("SELECT 1 AS id", props="kind INCREMENTAL_BY_UNIQUE_KEY")},
            "models/broken.sql", 1, r"needs 'unique_key'"),
    Variant("kind-unknown-argument", {"models/broken.sql": _model("SELECT 1 AS id", props="kind VIEW (materialised true)")},
            "models/broken.sql", 1, r"no field 'materialised'"),
    Variant("scd-by-column-without-columns", {"models/broken.sql": _model("SELECT 1 AS id", props="kind SCD_TYPE_2_BY_COLUMN (unique_key id)")},
            "models/broken.sql", 1, r"needs 'columns'"),
    Variant("bad-cron", {"models/broken.sql": _model("SELECT 1 AS id", props="kind FULL, cron '61 * * * *'")},
            "models/broken.sql", 1, r"cron"),
    Variant("bad-cron-tz", {"models/broken.sql": _model("SELECT 1 AS id", props="kind FULL, cron_tz 'Mars/Olympus'")},
            "models/broken.sql", 1, r"cron_tz|time ?zone"),
    Variant("bad-interval-unit", {"models/broken.sql": _model("SELECT 1 AS id", props="kind FULL, interval_unit 'fortnight'")},
            "models/broken.sql", 1, r"interval_unit|unit"),
    Variant("unknown-model-dialect", {"models/broken.sql": _model("SELECT 1 AS id", props="kind FULL, dialect klingon")},
            "models/broken.sql", 1, r"dialect"),
    Variant("undefined-audit", {"models/broken.sql": _model("SELECT 1 AS id", props="kind FULL, audits (no_such_audit)")},
            "models/broken.sql", 1, r"audit 'no_such_audit'", engine="warns"),
    Variant("undefined-macro", {"models/broken.sql": _model("SELECT @no_such_macro(1) AS id")},
            "models/broken.sql", 2, r"no_such_macro", engine="warns"),
    # --- Model text
    Variant("missing-model-block", {"models/broken.sql": "SELECT 1 AS id\n"},
            "models/broken.sql", 1, r"MODEL|name"),
    Variant("model-block-without-name", {"models/broken.sql": "MODEL (kind FULL);\nSELECT 1 AS id\n"},
            "models/broken.sql", 1, r"name"),
    Variant("model-block-unclosed", {"models/broken.sql": "MODEL (name s.broken, kind FULL;\nSELECT 1 AS id\n"},
            "models/broken.sql", 1, r"\)|paren|MODEL|clos"),
    Variant("unbalanced-parens", {"models/broken.sql": _model("SELECT id FROM s.base)")},
            "models/broken.sql", 2, r"\)|paren"),
    Variant("unterminated-string", {"models/broken.sql": _model("SELECT 'abc AS id")},
            "models/broken.sql", 2, r"string|quote|'"),
    Variant("unterminated-comment", {"models/broken.sql": _model("SELECT 1 AS id /* never closed")},
            "models/broken.sql", 2, r"comment"),
    Variant("query-missing", {"models/broken.sql": "MODEL (name s.broken, kind FULL);\n"},
            "models/broken.sql", 1, r"query|SELECT|statement"),
    Variant("model-name-too-many-parts", {"models/broken.sql": _model("SELECT 1 AS id", name="a.b.c.d")},
            "models/broken.sql", 1, r"name|part"),
    Variant("deep-nesting-5000", {"models/broken.sql": _deep_nesting(5000)},
            "models/broken.sql", 2, r"nested 80 deep"),
    Variant("deep-nesting-100-parentheses", {"models/broken.sql": _model("SELECT " + "(" * 100 + "1" + ")" * 100 + " AS id")},
            "models/broken.sql", 2, r"nested 80 deep"),
    Variant("utf8-bom-model", {"models/broken.sql": b"\xef\xbb\xbf" + _model("SELECT 1 AS id").encode()},
            "models/broken.sql", 1, r"byte order mark"),
    Variant("utf8-bom-python-model", {"models/py_model.py": b"\xef\xbb\xbf" + PY_MODEL.encode()},
            "", None, r"", sqlmesh="loads"),
    Variant("utf8-bom-config", {"config.yaml": b"\xef\xbb\xbf" + BASE["config.yaml"].encode()},
            "", None, r"", sqlmesh="loads"),
    Variant("non-utf8-model", {"models/broken.sql": _model("SELECT 'caf\xe9' AS id").encode("latin-1")},
            "models/broken.sql", 2, r"utf-?8|decode|encod"),
    Variant("binary-model", {"models/broken.sql": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
            "models/broken.sql", 1, r"binary|NUL|text"),
    Variant("null-byte-in-model", {"models/broken.sql": _model("SELECT 1 AS id") .encode() + b"\x00\n"},
            "models/broken.sql", None, r"binary|NUL|text"),
    # --- The graph
    Variant("cycle", {"models/base.sql": "MODEL (name s.base, kind FULL);\nSELECT id FROM s.child\n"},
            "models/base.sql", None, r"cycle|circular", also_names=("models/child.sql",)),
    Variant("duplicate-model-name", {"models/copy.sql": BASE["models/base.sql"]},
            "models/copy.sql", None, r"duplicate|already|twice", also_names=("models/base.sql",)),
    Variant("duplicate-python-and-sql-name", {"models/py_model.py": PY_MODEL.replace("s.py_model", "s.base")},
            "models/py_model.py", None, r"duplicate|already|twice", also_names=("models/base.sql",)),
    # --- Config
    Variant("invalid-yaml", {"config.yaml": "gateways:\n  local:\n    connection:\n   type: duckdb\n"},
            "config.yaml", 4, r"yaml|indent|mapping|parse"),
    Variant("yaml-tab-indentation", {"config.yaml": BASE["config.yaml"].replace("  dialect", "\tdialect")},
            "config.yaml", 7, r"yaml|tab|parse"),
    Variant("yaml-duplicate-key", {"config.yaml": BASE["config.yaml"] + "default_gateway: other\n"},
            "config.yaml", 9, r"duplicate"),
    Variant("config-not-a-mapping", {"config.yaml": "- gateways\n- model_defaults\n"},
            "config.yaml", 1, r"mapping|dict|list|key"),
    Variant("config-empty", {"config.yaml": ""},
            "config.yaml", None, r"dialect|empty|model_defaults"),
    Variant("config-unknown-key", {"config.yaml": BASE["config.yaml"] + "model_default:\n  owner: me\n"},
            "config.yaml", 9, r"model_default|unknown|extra|not permitted"),
    Variant("config-missing-dialect", {"config.yaml": BASE["config.yaml"].replace("  dialect: duckdb\n", "")},
            "config.yaml", None, r"dialect"),
    Variant("unknown-default-dialect", {"config.yaml": _config(dialect="klingon")},
            "config.yaml", 7, r"dialect"),
    Variant("dialect-from-unset-env-var", {"config.yaml": _config(dialect="\"{{ env_var('SQLMESH_DAG_TEST_UNSET_DIALECT') }}\"")},
            "config.yaml", 7, r"dialect"),
    Variant("unknown-default-gateway", {"config.yaml": BASE["config.yaml"].replace("default_gateway: local", "default_gateway: prod")},
            "config.yaml", 5, r"gateway"),
    Variant("unknown-connection-type", {"config.yaml": BASE["config.yaml"].replace("type: duckdb", "type: oracle_9i")},
            "config.yaml", 4, r"type|connection"),
    Variant("non-utf8-config", {"config.yaml": (BASE["config.yaml"] + "# caf\xe9\n").encode("latin-1")},
            "config.yaml", 9, r"utf-?8|decode|encod"),
    Variant("external-models-not-a-list", {"external_models.yaml": "name: raw.orders\n"},
            "external_models.yaml", 1, r"list"),
    Variant("external-models-invalid-yaml", {"external_models.yaml": "- name: raw.orders\n  columns: {id: int\n"},
            "external_models.yaml", None, r"yaml|flow|parse|expected"),
    Variant("external-model-without-name", {"external_models.yaml": "- columns:\n    id: int\n"},
            "external_models.yaml", 1, r"name"),
    # --- Files and folders
    Variant("dangling-model-symlink", {}, "models/gone.sql", 1, r"link leads nowhere",
            setup=_symlink("models/gone.sql", "nowhere.sql")),
    Variant("model-symlink-loop", {}, "models/a.sql", 1, r"link leads nowhere", also_names=("models/b.sql",),
            setup=lambda p: (_symlink("models/a.sql", "b.sql")(p), _symlink("models/b.sql", "a.sql")(p))),
    Variant("dangling-symlink-outside-models", {}, "", None, r"", sqlmesh="loads",
            setup=_symlink("notes.md", "nowhere.md")),
    Variant("folder-named-like-a-model", {}, "models/x.sql", 1, r"folder is named like a model file",
            setup=_folder("models/x.sql", {"inner.sql": _model("SELECT 1 AS id", name="s.nested")})),
    Variant("symlink-loop", {}, "", None, r"", sqlmesh="loads",
            setup=_symlink("models/loop", "loop")),
    Variant("unreadable-model", {"models/broken.sql": _model("SELECT 1 AS id")},
            "models/broken.sql", None, r"permission|read", setup=_chmod("models/broken.sql", 0), needs_non_root=True),
    # SQLMesh's glob skips a folder it cannot list (checked as an unprivileged user); the engine warns.
    Variant("unreadable-models-subfolder", {"models/sub/x.sql": _model("SELECT 1 AS id", name="s.x")},
            "", None, r"", sqlmesh="loads", setup=_chmod("models/sub", 0), needs_non_root=True),
    Variant("project-path-is-a-file", {}, "", None, r"not a folder|is a file|directory", path_kind="file"),
    Variant("project-path-missing", {}, "", None, r"not exist|no such|not found", path_kind="missing"),
    Variant("empty-project-folder", {"config.yaml": None, "models/base.sql": None, "models/child.sql": None,
                                     "macros/helpers.py": None},
            "", None, r"config"),
]


def build(variant: Variant, parent: Path) -> Path:
    """The variant's project under ``parent``; returns the path to hand to the engine, SQLMesh or a stub."""
    project = parent / variant.name
    if variant.path_kind == "missing":
        return project
    if variant.path_kind == "file":
        project.write_text(BASE["config.yaml"])
        return project
    for rel, text in {**BASE, **variant.files}.items():
        if text is None:
            continue
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    project.mkdir(parents=True, exist_ok=True)
    for rel in ("models", "macros"):
        (project / rel).mkdir(exist_ok=True)
    if variant.setup is not None:
        variant.setup(project)
    return project


def make_readable(project: Path) -> None:
    """Undo chmod 000 so a temporary folder can be removed."""
    if project.is_dir() and not project.is_symlink():
        for root, dirs, files in os.walk(project):
            for name in dirs + files:
                path = Path(root) / name
                if not path.is_symlink():
                    os.chmod(path, 0o755)
