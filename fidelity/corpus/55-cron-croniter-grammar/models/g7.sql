MODEL (name s.grammar_7, kind FULL, cron '0 0 */2 * 0-6');
SELECT 1 AS id
