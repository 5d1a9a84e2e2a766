MODEL (name sales.redshift_backslash, kind FULL, dialect redshift);
SELECT 'it\'s' AS a, $tag$ it's $tag$ AS b FROM raw.orders
