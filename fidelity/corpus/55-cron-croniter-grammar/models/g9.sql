MODEL (name s.grammar_9, kind FULL, cron '0 0 * nov-feb mon#1');
SELECT 1 AS id
