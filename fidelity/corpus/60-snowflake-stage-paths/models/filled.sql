-- a lone @src, and @{src_schema} inside a name, are macro references SQLMesh fills
MODEL (name s.filled, kind FULL);
@DEF(src, raw.customers);
SELECT * FROM @src AS c JOIN @{src_schema}.orders AS o ON o.id = c.id JOIN (SELECT id FROM @src) AS i ON TRUE
