MODEL (name s.a, kind FULL);
SELECT e.id FROM src.events AS e LEFT JOIN src.only_dev AS d ON d.id = e.id
