MODEL (name Sales.Orders, kind FULL);
SELECT 1 AS id FROM Raw.Orders, `Raw`.`Back_Ticked`
