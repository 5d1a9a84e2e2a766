MODEL (name s.joined, kind VIEW);
SELECT p.id, c.code FROM seeds.people AS p JOIN seeds.codes AS c ON c.id = p.id
