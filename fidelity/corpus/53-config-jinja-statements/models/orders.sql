MODEL (name s.orders, kind FULL);
SELECT * FROM @source_schema.orders
JOIN @customers_schema.customers USING (customer_id)
JOIN @products_schema.products USING (product_id)
JOIN @encoded_schema.rates USING (currency)
