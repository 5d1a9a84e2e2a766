-- its name, its tables and @src all resolve in the gateway "warehouse": catalog "warehouse", src = wh_src
MODEL (name s.on_warehouse, kind FULL, gateway warehouse);
SELECT * FROM @src.orders AS o JOIN s.on_main AS m ON o.id = m.id JOIN raw_@{region}.regions AS r ON TRUE
