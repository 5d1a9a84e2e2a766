MODEL (name Sales.Orders, kind FULL);
SELECT 1::INT AS id FROM Raw.Orders, "Raw"."Quoted", public."lower"
