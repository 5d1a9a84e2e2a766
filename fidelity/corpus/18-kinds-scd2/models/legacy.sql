MODEL (name s.legacy, kind SCD_TYPE_2 (unique_key id));
SELECT id, updated_at FROM s.by_time
