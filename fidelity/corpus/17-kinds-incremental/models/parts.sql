MODEL (
  name s.parts,
  kind INCREMENTAL_BY_PARTITION,
  partitioned_by [region]
);
SELECT region, COUNT(*) AS n FROM s.users GROUP BY region
