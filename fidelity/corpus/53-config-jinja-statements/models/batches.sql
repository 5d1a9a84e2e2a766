MODEL (name s.batches, kind FULL);
SELECT * FROM @IF(@batch_size > 250, s.orders, @source_schema.small_batches)
