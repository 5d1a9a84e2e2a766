MODEL (name s.a, kind FULL);
SELECT id FROM legacy.source_table
