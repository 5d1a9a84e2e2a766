/*
  20 orders from 2024-01-01 to 2024-01-07. Orders per day:
    2024-01-01: 3, 2024-01-02: 2, 2024-01-03: 4, 2024-01-04: 3,
    2024-01-05: 2, 2024-01-06: 5, 2024-01-07: 1
*/
MODEL (
  name raw.orders,
  kind SEED (
    path '../../seeds/orders.csv'
  ),
  columns (
    order_id INT,
    customer_id INT,
    product_id INT,
    quantity INT,
    order_date DATE
  ),
  grain order_id,
  column_descriptions (
    order_date = 'The day the order was placed'
  ),
  tags [raw, seed]
);
