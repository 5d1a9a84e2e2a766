MODEL (name s.b, kind FULL);
SELECT * FROM s.a, my_warehouse.s.a AS again
