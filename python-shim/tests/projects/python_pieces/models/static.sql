MODEL (name mart.summary, kind FULL);
SELECT COUNT(*) AS n FROM mart.big_orders JOIN mart.regions USING (id)
