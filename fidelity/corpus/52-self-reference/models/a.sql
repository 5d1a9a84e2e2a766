MODEL (name s.a, kind INCREMENTAL_BY_UNIQUE_KEY (unique_key id), columns (id INT, total INT));
SELECT id, total FROM raw.deltas
UNION ALL
SELECT id, total FROM s.a WHERE id NOT IN (SELECT id FROM raw.deltas)
