MODEL (name sales.orders_copy, kind FULL);
SELECT * FROM Sales.Orders
