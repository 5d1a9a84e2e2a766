MODEL (name sales.singlestore_escapes, kind FULL, dialect singlestore);
SELECT 'it\'s' AS a, "say \"hi\"" AS b FROM raw.orders # a 'comment
JOIN raw.items ON TRUE
