MODEL (
  name staging.stg_customers,
  kind FULL,
  tags [staging],
  grain customer_id
);

SELECT
  c.customer_id,
  c.customer_name,
  c.country_code,
  COALESCE(r.region, 'UNKNOWN') AS region,
  c.signup_date
FROM raw.customers AS c
LEFT JOIN reference.country_regions AS r
  ON c.country_code = r.country_code
