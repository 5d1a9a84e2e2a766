MODEL (name s.a, kind FULL);
SELECT c.id FROM ext.customers AS c
JOIN other_db.ext."Accounts" AS a ON a.id = c.id
JOIN crm.contacts AS k ON k.id = c.id
