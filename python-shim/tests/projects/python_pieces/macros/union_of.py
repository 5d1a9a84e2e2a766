"""A project macro that builds the whole FROM clause from a tuple of tables."""
from sqlglot import exp
from sqlmesh import macro


@macro()
def union_of(evaluator, sources):
    tables = sources.expressions if isinstance(sources, exp.Tuple) else [sources]
    selects = [exp.select("*").from_(table) for table in tables]
    union = selects[0]
    for select in selects[1:]:
        union = exp.union(union, select, distinct=False)
    return exp.paren(union).as_("u")
