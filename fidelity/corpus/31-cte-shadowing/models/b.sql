MODEL (name s.b, kind FULL);
WITH RECURSIVE tree AS (
  SELECT id, parent_id FROM raw.nodes WHERE parent_id IS NULL
  UNION ALL
  SELECT n.id, n.parent_id FROM raw.nodes AS n JOIN tree AS t ON n.parent_id = t.id
)
SELECT * FROM tree, s.a
