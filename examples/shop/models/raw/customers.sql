MODEL (
  name raw.customers,
  kind SEED (
    path '../../seeds/customers.csv'
  ),
  columns (
    customer_id INT,
    customer_name TEXT,
    country_code TEXT,
    signup_date DATE
  ),
  grain customer_id,
  tags [raw, seed]
);
