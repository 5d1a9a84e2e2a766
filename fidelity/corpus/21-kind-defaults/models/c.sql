MODEL (name s.c, kind full);
SELECT id FROM s.b
