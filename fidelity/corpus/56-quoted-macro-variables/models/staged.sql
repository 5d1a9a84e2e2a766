-- Databricks quotes names with backticks; a gateway variable names the schema
MODEL (name @stage.orders, kind FULL);
SELECT "@tenant" AS tenant_string, o.*
FROM `@src`.`orders` AS o
JOIN `@{src}_v`.`customers_@{tenant}` AS c ON o.id = c.id
