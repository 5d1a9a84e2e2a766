MODEL (name s.b, kind FULL);
SELECT * FROM @IF(1 > 2, raw.never, raw.always)
