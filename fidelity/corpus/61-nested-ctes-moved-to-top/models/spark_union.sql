-- Spark's generator moves nested CTEs only when the query is a SELECT, not a UNION
MODEL (name s.spark_union, kind FULL, dialect spark);
SELECT id FROM raw.items
UNION ALL
SELECT id FROM (WITH items AS (SELECT id FROM raw.stock) SELECT id FROM items) AS s
WHERE id > @VAR('limit', 0)
