MODEL (
  name s.b,
  kind FULL,
  tags array['one']
);
SELECT id FROM s.a
