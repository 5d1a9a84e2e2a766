MODEL (name `my-project`.Sales.Orders, kind FULL);
SELECT 1 AS id FROM `raw.Events` AS e, Raw.Users
