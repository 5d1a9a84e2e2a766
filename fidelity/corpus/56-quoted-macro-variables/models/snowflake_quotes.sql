-- quoted names keep their case in Snowflake, the substituted text included
MODEL (name mart.snowflake_quotes, kind FULL, dialect snowflake);
SELECT * FROM "@src"."Mixed_@{tenant}" JOIN "@SRC".plain ON TRUE
