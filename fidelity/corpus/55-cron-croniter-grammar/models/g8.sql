MODEL (name s.grammar_8, kind FULL, cron '0 0 1,15 * fri');
SELECT 1 AS id
