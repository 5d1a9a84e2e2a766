MODEL (name s.from_subquery, kind FULL);
SELECT *
FROM (SELECT id, arr FROM raw.events) AS t
LEFT JOIN (SELECT id FROM raw.users) AS u ON u.id = t.id, t.arr, u.tags
