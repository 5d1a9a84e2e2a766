MODEL (name s.latin, kind FULL);

-- café orders
SELECT 1 AS id
