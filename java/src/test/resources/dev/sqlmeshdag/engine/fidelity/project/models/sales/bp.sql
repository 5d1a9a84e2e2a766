MODEL (name sales.bp_@{r}, blueprints ((r := eu), (r := us)), cron '0 9,17 * * *');
SELECT * FROM sales.orders
