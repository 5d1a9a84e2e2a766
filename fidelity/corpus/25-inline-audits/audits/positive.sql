AUDIT (name assert_positive);
SELECT * FROM @this_model WHERE id <= 0 OR id IN (SELECT id FROM raw.audit_only)
