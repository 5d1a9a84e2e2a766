MODEL (name explicit.named);
SELECT * FROM sales.order_totals
