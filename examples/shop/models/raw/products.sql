MODEL (
  name raw.products,
  kind SEED (
    path '../../seeds/products.csv'
  ),
  columns (
    product_id INT,
    product_name TEXT,
    category TEXT,
    unit_price DECIMAL(10, 2)
  ),
  grain product_id,
  tags [raw, seed]
);
