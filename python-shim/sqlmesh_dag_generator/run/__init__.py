"""Inside a task: the callables the model, plan and health-check tasks run, the SQLMesh session on the
task's Airflow Connection, and the due check. Never imports ``build`` or ``dag``: a worker runs a task
without reading the project's graph again."""
