MODEL (name s.on_main, kind FULL);
SELECT * FROM @src.orders
