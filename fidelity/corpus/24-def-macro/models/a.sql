MODEL (name s.a, kind FULL);
@DEF(src_schema, raw);
@DEF(min_id, 10);
@DEF(tbl, raw.customers);
SELECT o.id FROM @src_schema.orders AS o JOIN @tbl AS c ON c.id = o.id WHERE o.id > @min_id
