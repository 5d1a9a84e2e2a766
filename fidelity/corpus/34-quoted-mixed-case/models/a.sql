MODEL (name "Sales"."Orders", kind FULL);
SELECT * FROM "Raw"."Orders Export", RAW.UPPER_CASE, "raw"."with.dot"
