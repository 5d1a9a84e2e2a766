MODEL (name "Sales"."Mixed", kind FULL);
SELECT * FROM sales.orders WHERE id IN (SELECT id FROM "Sales"."Mixed_src")
