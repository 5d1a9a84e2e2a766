MODEL (name s.grammar_2, kind FULL, cron '0 5-5 * * *');
SELECT 1 AS id
