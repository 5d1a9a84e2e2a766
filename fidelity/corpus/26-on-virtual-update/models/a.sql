MODEL (name s.a, kind VIEW);
SELECT id FROM raw.src;
ON_VIRTUAL_UPDATE_BEGIN;
GRANT SELECT ON VIEW @this_model TO ROLE reader;
INSERT INTO ops.grants_log SELECT * FROM raw.virtual_only;
ON_VIRTUAL_UPDATE_END;
