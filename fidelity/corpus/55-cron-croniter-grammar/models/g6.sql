MODEL (name s.grammar_6, kind FULL, cron '0 0 15W * *');
SELECT 1 AS id
