MODEL (name sales.cross_join_unnest, kind FULL);
SELECT * FROM Ds.Tbl3 AS T CROSS JOIN T.Arr
