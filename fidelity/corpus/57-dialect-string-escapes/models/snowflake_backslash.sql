MODEL (name sales.snowflake_backslash, kind FULL);
SELECT 'it\'s' AS a, '\\' AS b, $$ it's $$ AS c FROM raw.orders // a 'comment
JOIN raw.customers ON TRUE
