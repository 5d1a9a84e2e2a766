MODEL (name s.b, kind FULL);
SELECT * FROM @src_schema.sessions
