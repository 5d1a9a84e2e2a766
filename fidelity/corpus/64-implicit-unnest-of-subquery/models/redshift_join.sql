MODEL (name s.redshift_join, kind FULL, dialect redshift);
SELECT * FROM raw.orders AS o JOIN (SELECT id, items FROM raw.baskets) AS b ON b.id = o.id, b.items, raw.real_table
