MODEL (name marts.customer_totals, kind FULL, cron '@daily', grain customer_id);
WITH per_customer AS (
  SELECT customer_id, SUM(amount) AS total FROM staging.orders GROUP BY customer_id
)
SELECT c.customer_id, c.name, COALESCE(p.total, 0) AS total
FROM staging.customers AS c LEFT JOIN per_customer AS p ON c.customer_id = p.customer_id
