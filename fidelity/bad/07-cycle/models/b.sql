MODEL (name s.b, kind FULL);
SELECT id FROM s.a
