MODEL (name s.a, kind FULL);
SELECT * FROM @VAR('source').items
