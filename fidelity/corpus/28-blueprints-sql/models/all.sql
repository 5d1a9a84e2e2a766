MODEL (name s.all_orders, kind VIEW);
SELECT id FROM acme.orders UNION ALL SELECT id FROM globex.orders
