MODEL (name s.a, kind FULL);
SELECT 1 AS id
