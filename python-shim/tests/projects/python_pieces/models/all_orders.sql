MODEL (name mart.all_orders, kind FULL);
SELECT id, amount FROM @union_of(sources := (raw.orders_north, raw.orders_south))
