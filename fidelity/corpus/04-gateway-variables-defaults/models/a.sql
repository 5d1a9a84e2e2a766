MODEL (name s.a, kind FULL);
SELECT * FROM @VAR('src').orders AS o JOIN @{src}.regions_@{region} AS r ON o.region = r.code
