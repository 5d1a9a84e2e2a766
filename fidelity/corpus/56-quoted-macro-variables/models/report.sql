-- `@stage` names the model above, so this is a real edge between two models
MODEL (name mart.report, kind FULL);
SELECT * FROM `@stage`.`orders`
