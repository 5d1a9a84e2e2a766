MODEL (name sales.redshift_temp, kind FULL);
SELECT * FROM #temp_orders AS t JOIN raw.customers AS c ON TRUE
