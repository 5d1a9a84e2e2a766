MODEL (name s.log, kind INCREMENTAL_UNMANAGED (insert_overwrite false));
SELECT e.id FROM s.events AS e
