from sqlmesh import macro


@macro()
def source_table(evaluator, name):
    return f"raw.{name.name}_v2"


@macro()
def positive(evaluator, column):
    return f"{column.sql()} > 0"
