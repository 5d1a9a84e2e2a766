MODEL (name s.a, kind FULL);
SELECT @EACH(['a', 'b'], x -> MAX(x) AS @{x}_max)
FROM raw.wide
