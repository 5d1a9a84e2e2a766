MODEL (name s.a, kind FULL);
SELECT 2 AS id FROM nowhere.broken
