MODEL (name s.b, kind FULL);
SELECT * FROM s.orders_prod
