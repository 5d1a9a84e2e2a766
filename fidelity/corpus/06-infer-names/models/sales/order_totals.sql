MODEL (kind VIEW);
SELECT id FROM sales.orders
