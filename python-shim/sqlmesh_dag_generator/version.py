"""This package's version (one place; the package, its caches and pyproject.toml agree)."""

__version__ = "0.1.0"
