MODEL (name s.c, kind FULL, depends_on (s.b));
SELECT @IF(@runtime_stage = 'evaluating', (SELECT COUNT(*) FROM s.b), 0) AS n
