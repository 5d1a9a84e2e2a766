-- SQLMesh skips the property right after `blueprints` when it looks for `gateway`: these stay in the chosen gateway
MODEL (name s.skipped_@{shop}, blueprints ((shop := a), (shop := b)), gateway warehouse);
SELECT * FROM @src.@{shop}_orders
