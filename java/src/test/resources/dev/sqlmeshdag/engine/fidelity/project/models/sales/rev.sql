MODEL (name sales.revenue, kind FULL, cron '*/15 * * * *', depends_on [sales.extra_dep], columns (id INT, ds TEXT));
WITH o AS (SELECT * FROM sales.orders) SELECT o.id::INT AS id, o.ds::TEXT AS ds FROM o JOIN sales.revenue r ON TRUE
