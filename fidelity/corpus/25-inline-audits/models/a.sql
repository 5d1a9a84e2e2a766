MODEL (name s.a, kind FULL, audits (assert_positive, no_dupes));
SELECT id FROM raw.src;

AUDIT (name no_dupes);
SELECT id FROM @this_model JOIN raw.also_audit_only USING (id) GROUP BY id HAVING COUNT(*) > 1;
