MODEL (name sales.joins_with_on, kind FULL);
SELECT * FROM Ds.Tbl6 AS T JOIN T.Arr ON TRUE, `Ds.Tbl7` AS U, U.Arr, `Ds`.Tbl8 AS V, v.arr
