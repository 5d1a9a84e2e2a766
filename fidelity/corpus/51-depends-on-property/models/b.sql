MODEL (name s.b, kind FULL, depends_on [s.a, raw.hidden_source, "other_cat"."x"."y"]);
SELECT 2 AS id FROM raw.visible
