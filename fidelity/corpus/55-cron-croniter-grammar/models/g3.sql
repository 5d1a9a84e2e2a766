MODEL (name s.grammar_3, kind FULL, cron '*/61 * * * *');
SELECT 1 AS id
