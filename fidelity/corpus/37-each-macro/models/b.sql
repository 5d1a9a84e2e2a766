MODEL (name s.b, kind FULL);
SELECT id FROM raw.events_web WHERE channel IN (@EACH(['web', 'app'], c -> c))
