"""Parse time, from a spec to a DAG: the task plan, its Airflow operators (dynamic mode) or a written
DAG file (static mode), and the finished-DAG cache. Uses ``build`` for the spec; names ``run``'s
callables for the tasks to call."""
