-- nested CTEs go just before the CTE that held them: "payments" is visible to later CTEs and to the query
MODEL (name s.spark_cte_order, kind FULL, dialect spark);
WITH first_cte AS (SELECT id FROM raw.payments),
     second_cte AS (WITH payments AS (SELECT id FROM raw.refunds) SELECT id FROM payments),
     third_cte AS (SELECT id FROM raw.payments)
SELECT * FROM first_cte JOIN third_cte ON TRUE JOIN @{src_schema}.payments AS p ON TRUE
