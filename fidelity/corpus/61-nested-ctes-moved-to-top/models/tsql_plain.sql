-- without a macro SQLMesh keeps the query as parsed: the nested CTE hides raw.orders only inside its subquery
MODEL (name s.tsql_plain, kind FULL);
SELECT o.id
FROM raw.orders AS o
JOIN (WITH orders AS (SELECT id FROM raw.order_lines) SELECT id FROM orders) AS l ON l.id = o.id
