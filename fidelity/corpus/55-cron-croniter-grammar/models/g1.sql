MODEL (name s.grammar_1, kind FULL, cron '0 21-3/2 * * *');
SELECT 1 AS id
