-- SQLMesh's own variables fill quoted names too, with their load-time values
MODEL (name mart.builtins, kind INCREMENTAL_BY_TIME_RANGE(time_column ds));
SELECT ds FROM `raw_@{gateway}`.`events_@{start_ds}` JOIN `@runtime_stage`.`v` ON TRUE
