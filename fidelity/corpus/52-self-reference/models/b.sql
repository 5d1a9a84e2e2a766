MODEL (name s.b, kind FULL);
SELECT * FROM s.a
