MODEL (name s.grammar_5, kind FULL, cron '0 0 15 * 2#3');
SELECT 1 AS id
