MODEL (name s.scratch);
SELECT * FROM s.a
