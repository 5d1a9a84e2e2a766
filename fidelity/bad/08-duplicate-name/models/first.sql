MODEL (name s.orders, kind FULL);
SELECT 1 AS id
