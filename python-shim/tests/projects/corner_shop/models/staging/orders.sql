MODEL (name staging.orders, kind VIEW, owner 'ingest-team');
SELECT order_id, customer_id, amount, order_date FROM raw.orders
