MODEL (name sales.subquery_alias_unnest, kind FULL);
SELECT * FROM (SELECT 1 AS x) AS S, S.arr, UNNEST([1]) AS u, u.x
