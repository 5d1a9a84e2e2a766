MODEL (name s.consumer, kind FULL);
SELECT h.id FROM s.helper AS h JOIN raw.other AS o ON o.id = h.id
