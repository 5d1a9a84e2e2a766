MODEL (name raw.orders_south, kind FULL);
SELECT 2 AS id, 20.0 AS amount
