MODEL (name sales.ORDER_SUMMARY, kind FULL);
SELECT * FROM SALES.orders
