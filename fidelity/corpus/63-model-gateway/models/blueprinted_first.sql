-- written before `blueprints`, the gateway applies to every blueprint
MODEL (name s.applied_@{shop}, gateway warehouse, blueprints ((shop := a), (shop := b)));
SELECT * FROM @src.@{shop}_orders
