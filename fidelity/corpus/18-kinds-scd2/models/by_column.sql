MODEL (name s.by_column, kind SCD_TYPE_2_BY_COLUMN (unique_key [id], columns [name, email], invalidate_hard_deletes true));
SELECT id, name, email FROM raw.people
