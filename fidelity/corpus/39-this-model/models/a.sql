MODEL (name s.a, kind INCREMENTAL_BY_UNIQUE_KEY (unique_key id));
SELECT id::INT AS id, '@this_model'::TEXT AS literal FROM raw.src
WHERE id NOT IN (SELECT id FROM @this_model)
