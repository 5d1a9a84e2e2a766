MODEL (
  name s.orders,
  kind VIEW
);
SELECT 2 AS id
