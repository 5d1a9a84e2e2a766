MODEL (name s.b, kind VIEW (materialized true));
SELECT id FROM s.a
