MODEL (name s.a, kind FULL);
SELECT
  o.id,
  (SELECT MAX(p.price) FROM raw.prices AS p WHERE p.id = o.id) AS max_price
FROM (
  SELECT * FROM (
    SELECT * FROM (SELECT id FROM raw.deep) AS d3
  ) AS d2
) AS o
WHERE EXISTS (SELECT 1 FROM raw.flags AS f WHERE f.id = o.id)
  AND o.id NOT IN (SELECT id FROM raw.blocked)
