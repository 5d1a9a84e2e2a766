MODEL (name s.fine, kind FULL);
SELECT 1 AS id
