MODEL (name s.b, kind VIEW);
SELECT id FROM s.a
