MODEL (name sales.orders_view, kind VIEW);
SELECT * FROM `my-project.Sales.Orders` AS o, `my-project`.sales.orders, Ds.`Table-With-Dash`
