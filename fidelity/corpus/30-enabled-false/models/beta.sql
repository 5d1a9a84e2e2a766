MODEL (name s.beta, kind FULL, enabled @with_beta);
SELECT id FROM s.a
