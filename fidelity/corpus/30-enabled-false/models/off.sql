MODEL (name s.off, kind FULL, enabled false);
SELECT id FROM s.a
