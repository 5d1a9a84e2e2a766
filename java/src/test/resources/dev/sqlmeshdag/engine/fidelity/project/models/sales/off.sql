MODEL (name sales.off, enabled false);
SELECT 1
