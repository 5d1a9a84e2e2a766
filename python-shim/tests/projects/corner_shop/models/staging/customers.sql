MODEL (name staging.customers, kind VIEW, owner 'ingest-team');
SELECT customer_id, name, country FROM raw.customers
