MODEL (name "Sales"."Quoted_Model", kind VIEW);
SELECT * FROM sales.orders, SALES.ORDERS AS o2, other_db.raw.t
