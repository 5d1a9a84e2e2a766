"""A Python model whose SQL is built with sqlglot's expression builder when SQLMesh loads it."""
from sqlglot import exp
from sqlmesh import model
from sqlmesh.core.macros import MacroEvaluator


@model("mart.big_orders", is_sql=True, kind="FULL")
def entrypoint(evaluator: MacroEvaluator) -> exp.Expression:
    return exp.select("id", "amount").from_("mart.all_orders").where("amount > 15")
