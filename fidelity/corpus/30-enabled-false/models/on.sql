MODEL (name s.on_model, kind FULL, enabled true);
SELECT id FROM s.a
