MODEL (name s.a, kind FULL);
SELECT id FROM s.b
