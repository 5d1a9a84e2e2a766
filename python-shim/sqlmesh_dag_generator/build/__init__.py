"""Parse time, before any Airflow object: the project's spec from a spec file, the cache or the engine.

Nothing here imports Airflow; SQLMesh only where the engine lists a piece only Python can read.
"""
