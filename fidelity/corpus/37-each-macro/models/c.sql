MODEL (name s.c, kind FULL);
@UNION('all', raw.part_1, raw.part_2)
