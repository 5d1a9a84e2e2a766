MODEL (name s.a, kind FULL);

SET threads = 2;
CREATE TEMP TABLE IF NOT EXISTS scratch_lookup AS SELECT * FROM raw.lookup_only_in_pre;

SELECT o.id FROM raw.orders AS o;

INSERT INTO audit_log.loads SELECT 'a' FROM raw.post_only;
ANALYZE;
