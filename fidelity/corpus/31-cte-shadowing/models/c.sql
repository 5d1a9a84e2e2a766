MODEL (name s.c, kind FULL);
WITH a AS (SELECT 1 AS id)
SELECT * FROM a, s.a AS qualified_is_not_the_cte
