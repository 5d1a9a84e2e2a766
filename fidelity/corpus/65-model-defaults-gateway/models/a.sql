MODEL (name s.a, kind FULL);
SELECT * FROM @src.orders
JOIN @IF(@gateway = 'warehouse', raw.warehouse_only, raw.elsewhere) AS g ON TRUE
