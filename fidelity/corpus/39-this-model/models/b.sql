MODEL (name s.b, kind FULL);
SELECT id FROM s.a;
INSERT INTO ops.row_counts SELECT COUNT(*) FROM @this_model;
