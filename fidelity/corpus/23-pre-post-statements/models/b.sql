MODEL (name s.b, kind FULL);
@IF(@runtime_stage = 'evaluating', DELETE FROM raw.stale WHERE true);
SELECT * FROM s.a
