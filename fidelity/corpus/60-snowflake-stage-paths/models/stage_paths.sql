-- @src_schema.orders reads as the stage path "@src_schema.orders": no table, although src_schema is a variable
MODEL (name s.stage_paths, kind FULL);
@DEF(src, raw.customers);
SELECT *
FROM raw.base AS b
JOIN @src_schema.orders AS o ON o.id = b.id
JOIN (SELECT id FROM @src.extra) AS x ON x.id = b.id
CROSS JOIN raw.more AS m, @src_schema.comma_joined AS c
