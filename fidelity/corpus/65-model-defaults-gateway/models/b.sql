MODEL (name s.b, kind FULL, gateway main);
SELECT * FROM @src.orders JOIN s.a ON TRUE
