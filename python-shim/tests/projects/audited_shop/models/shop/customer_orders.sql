MODEL (name shop.customer_orders, kind FULL);
SELECT customer_id, COUNT(*) AS orders FROM shop.orders GROUP BY customer_id
