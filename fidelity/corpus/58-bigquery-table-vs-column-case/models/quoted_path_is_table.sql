MODEL (name sales.quoted_path_is_table, kind FULL);
SELECT * FROM Ds.Tbl2 AS T, `T.Arr`
