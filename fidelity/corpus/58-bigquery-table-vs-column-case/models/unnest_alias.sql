MODEL (name sales.unnest_alias, kind FULL);
SELECT * FROM Ds.Tbl1 AS T, T.Arr
