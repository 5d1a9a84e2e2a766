MODEL (name sales.spark_doubled, kind FULL, dialect spark);
SELECT 'a\'b' AS a, "x\"y" AS b FROM raw.orders
