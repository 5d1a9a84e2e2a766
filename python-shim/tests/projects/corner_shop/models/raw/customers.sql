MODEL (
  name raw.customers,
  kind SEED (path '../../seeds/customers.csv'),
  columns (customer_id INT, name TEXT, country TEXT),
  description 'Customers as exported by the shop system'
);
