MODEL (
  name s.c,
  kind VIEW,
  audits (not_null(columns := [id]), unique_values(columns = (id))),
  depends_on [s.b],
  tags 'single_tag'
);

SELECT 'FROM fake.table' AS text, "FROM" FROM (SELECT 1 AS "FROM") AS q
