MODEL (name s.by_time, kind SCD_TYPE_2_BY_TIME (unique_key id, updated_at_name changed_at));
SELECT id, name, changed_at FROM raw.people
