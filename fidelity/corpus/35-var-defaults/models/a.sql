MODEL (name s.a, kind FULL);
SELECT * FROM @VAR('src_schema').events
JOIN @VAR('missing_schema', 'fallback').users USING (id)
JOIN @VAR('mixed_case_var').things USING (id)
WHERE @VAR('enabled_flag') LIMIT @VAR('limit_rows')
