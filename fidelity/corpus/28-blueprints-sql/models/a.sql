MODEL (
  name @{customer}.orders,
  kind FULL,
  blueprints (
    (customer := acme, source := raw_acme),
    (customer := globex, source := raw_globex)
  )
);
SELECT id FROM @source.orders
