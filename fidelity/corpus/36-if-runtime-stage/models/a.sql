MODEL (name s.a, kind FULL);
SELECT *
FROM raw.base
WHERE @IF(
  @runtime_stage = 'loading',
  id IN (SELECT id FROM raw.loading_only),
  id IN (SELECT id FROM raw.evaluating_only)
)
AND @IF(@runtime_stage IN ('loading', 'creating'), id IN (SELECT id FROM raw.in_list), TRUE)
