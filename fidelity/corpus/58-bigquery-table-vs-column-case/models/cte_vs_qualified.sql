MODEL (name sales.cte_vs_qualified, kind FULL);
WITH Foo AS (SELECT 1 AS a) SELECT * FROM `FOO`, foo, Ds.Foo
