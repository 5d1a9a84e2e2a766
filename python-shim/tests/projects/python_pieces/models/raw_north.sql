MODEL (name raw.orders_north, kind FULL);
SELECT 1 AS id, 10.0 AS amount
