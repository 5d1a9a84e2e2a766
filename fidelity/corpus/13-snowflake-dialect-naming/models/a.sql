MODEL (name Sales.Orders, kind FULL);
SELECT 1 AS id FROM Raw.Orders_Src, "Raw"."MixedCase", raw."lower_quoted"
