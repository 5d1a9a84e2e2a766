MODEL (
  name s.users,
  kind INCREMENTAL_BY_UNIQUE_KEY (unique_key (id, region), when_matched WHEN MATCHED THEN UPDATE SET target.name = source.name)
);
SELECT id, region, name FROM raw.users
