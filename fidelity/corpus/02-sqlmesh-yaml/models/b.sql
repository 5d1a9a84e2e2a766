MODEL (name s.b);
SELECT id FROM s.a JOIN s.c USING (id)
