MODEL (name s.grammar_4, kind FULL, cron '0 0 * * sat-sun');
SELECT 1 AS id
