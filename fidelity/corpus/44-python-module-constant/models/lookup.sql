MODEL (name s.lookup, kind FULL);
SELECT 1 AS id
