MODEL (name archive.s.b, kind FULL);
SELECT id FROM s.a UNION ALL SELECT id FROM lake.s.a UNION ALL SELECT id FROM archive.old.history
