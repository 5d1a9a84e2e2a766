MODEL (name s.b);
SELECT * FROM s.a
