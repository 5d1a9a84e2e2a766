-- "@Src" is filled only because the model also uses @src: SQLMesh looks for uses inside names case-sensitively
MODEL (name mart.duckdb_template, kind FULL, dialect duckdb);
SELECT @src AS source_schema, * FROM "pre_@{tenant}_post"."t" JOIN "@Src".u ON TRUE
