MODEL (name sales.qualified_from_keeps_case, kind FULL);
SELECT * FROM Ds.Tbl4, Tbl4.Arr, `Up`, Low, `Ds`.`Mixed`
