MODEL (name s.a, kind FULL);
SELECT * FROM @{source_schema}.events
