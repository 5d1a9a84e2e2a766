MODEL (
  name s.a,
  kind FULL,
  tags ARRAY['finance', pii],
  grain ARRAY[id],
  audits ARRAY[assert_positive, NOT_NULL(columns = ARRAY[id])]
);
SELECT 1 AS id FROM raw.t
