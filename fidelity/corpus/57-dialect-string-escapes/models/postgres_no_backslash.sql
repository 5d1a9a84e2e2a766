MODEL (name sales.postgres_no_backslash, kind FULL, dialect postgres);
SELECT 'C:\' AS path, e'it\'s' AS b FROM raw.orders
