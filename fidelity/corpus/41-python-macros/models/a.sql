MODEL (name s.a, kind FULL);
SELECT * FROM @source_table(orders) WHERE @positive(id)
