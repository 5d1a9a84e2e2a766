MODEL (name s.orders_@{env_suffix}, kind FULL);
SELECT * FROM raw_@{tenant}.orders_@{env_suffix} AS o, @{tenant}_dim.customers
