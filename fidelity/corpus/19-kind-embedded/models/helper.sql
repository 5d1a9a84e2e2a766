MODEL (name s.helper, kind EMBEDDED);
SELECT id FROM raw.src WHERE id > 0
