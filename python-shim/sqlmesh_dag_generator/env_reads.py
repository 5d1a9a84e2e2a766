"""Which environment variables a project file reads: one scan for the spec cache and the plan record.

A SQLMesh project reads the environment through ``{{ env_var('X') }}`` in its YAML
config and Jinja, and ``os.environ['X']``, ``os.environ.get('X')`` or
``os.getenv('X')`` in Python config, models and macros. Both caches put the values
of the variables named there into their keys, so a changed variable is a changed
project.
"""

from __future__ import annotations

import re

ENV_READS = re.compile(
    r"""\benv_var\(\s*(['"])(?P<a>[^'"]+)\1"""
    r"""|\benviron\s*(?:\[\s*|\.get\(\s*)(['"])(?P<b>[^'"]+)\3"""
    r"""|\bgetenv\(\s*(['"])(?P<c>[^'"]+)\5""")
# Any mention of the environment that the pattern above did not account for.
_ENV_MENTIONS = re.compile(r"\benv_var\s*\(|\benviron\b|\bgetenv\s*\(")
# `from os import environ`: a mention that reads nothing by itself.
_ENV_IMPORT = re.compile(r"^\s*from\s+os\s+import\s+[^\n]*\benviron\b", re.MULTILINE)
# `${X}` and `${X:-default}` in a project's .env, which SQLMesh (and the engine) expand from the environment.
_DOTENV_EXPANSION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")
# Variables SQLMesh reads itself (SQLMESH__GATEWAYS__..., SQLMESH__DEFAULT_GATEWAY, SQLMESH_HOME, ...).
SQLMESH_PREFIX = "SQLMESH"


def names_read(data: bytes) -> tuple[set[str], bool]:
    """The variable names ``data`` reads, and whether every read of the environment in it names one."""
    if b"env" not in data:  # most files: no decode, no regex
        return set(), True
    text = data.decode("utf-8", errors="replace")
    found = [m.group("a") or m.group("b") or m.group("c") for m in ENV_READS.finditer(text)]
    mentions = len(_ENV_MENTIONS.findall(text)) - len(_ENV_IMPORT.findall(text))
    return set(found), mentions <= len(found)


def dotenv_names(data: bytes) -> set[str]:
    """The variables a .env file expands (``${X}``)."""
    return set(_DOTENV_EXPANSION.findall(data.decode("utf-8", errors="replace")))


def sqlmesh_names(environ) -> set[str]:
    return {name for name in environ if name.upper().startswith(SQLMESH_PREFIX)}
