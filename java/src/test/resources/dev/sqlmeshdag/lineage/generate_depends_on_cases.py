# Regenerate sqlmesh-depends-on-cases.json with the pinned SQLMesh: python generate_depends_on_cases.py > sqlmesh-depends-on-cases.json
"""Loads each case with SQLMesh and records the depends_on it computes, for the engine's regression test."""
import json, sys
from sqlmesh.core.model import load_sql_based_model
from sqlmesh.core.dialect import parse

VARIABLES = {'x': 'orders', 'n': 3, 'flag': True, 'lst': ['a', 'b'], 'tbls': ['t_a', 't_b'], 's': 'hello', 'none_v': None}
BLUEPRINT = {'customer': 'acme'}

CASES = [
 # (dialect, catalog, kind, pre_statements, query)
 ('duckdb','memory',None,[],"SELECT * FROM s.a JOIN s.b USING (id) LEFT JOIN s.c ON TRUE, s.d"),
 ('duckdb','memory',None,[],"SELECT * FROM s.a WHERE EXISTS (SELECT 1 FROM s.b WHERE s.b.id = s.a.id)"),
 ('duckdb','memory',None,[],"WITH x AS (SELECT * FROM s.a) SELECT * FROM x UNION ALL SELECT * FROM s.x"),
 ('duckdb','memory',None,[],"WITH x AS (SELECT * FROM s.a), y AS (SELECT * FROM x JOIN s.b ON TRUE) SELECT * FROM y"),
 ('duckdb','memory',None,[],"SELECT a, (SELECT count(*) FROM s.cnt WHERE cnt.k = t.k) FROM s.t AS t"),
 ('duckdb','memory',None,[],"SELECT * FROM s.t, UNNEST(t.arr) AS u(v)"),
 ('duckdb','memory',None,[],"SELECT * FROM range(10) r JOIN s.t ON TRUE"),
 ('duckdb','memory',None,[],"FROM s.first_t SELECT a"),
 ('duckdb','memory',None,[],"SELECT * FROM read_csv('x.csv') JOIN 'y.parquet' ON TRUE"),
 ('duckdb','memory',None,[],"SELECT * FROM (SELECT * FROM (SELECT * FROM s.deep) a) b"),
 ('duckdb','memory',None,[],"SELECT * FROM s.a AS a WHERE a.x IN (SELECT x FROM s.b UNION SELECT x FROM s.c)"),
 ('duckdb','memory',None,[],"SELECT * FROM \"My Schema\".\"My Table\" JOIN Other.T2 ON TRUE"),
 ('duckdb','memory',None,[],"SELECT * FROM cat1.s.t JOIN cat2.s.t ON TRUE"),
 ('duckdb','memory',None,[],"SELECT * FROM s.a -- FROM s.commented\n/* JOIN s.block */ WHERE 'FROM s.str' <> ''"),
 ('duckdb','memory',None,[],"SELECT 1 AS one"),
 ('duckdb','memory',None,[],"SELECT * FROM s.t QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1"),
 ('duckdb','memory',None,[],"SELECT * FROM s.t1 t1 LEFT JOIN LATERAL (SELECT * FROM s.t2 WHERE t2.id = t1.id) x ON TRUE"),
 ('duckdb','memory',None,[],"SELECT * FROM s.m_self"),
 ('duckdb','memory',None,[],"SELECT * FROM s.tbl_@{x} JOIN s.@x ON TRUE WHERE c = @VAR('s')"),
 ('duckdb','memory',None,['@DEF(src, s.defined)'],"SELECT * FROM @src"),
 ('duckdb','memory',None,[],"SELECT * FROM @IF(@VAR('flag'), s.yes, s.no)"),
 ('duckdb','memory',None,[],"SELECT * FROM s.base WHERE @IF(@runtime_stage = 'evaluating', x IN (SELECT x FROM s.only_eval), TRUE)"),
 ('duckdb','memory',None,[],"SELECT * FROM s.base WHERE @IF(@runtime_stage = 'loading', x IN (SELECT x FROM s.only_load), TRUE)"),
 ('duckdb','memory',None,[],"@EACH(@VAR('tbls'), t -> SELECT * FROM s.@t) "),
 ('duckdb','memory',None,[],"SELECT @EACH(['t_a', 't_b'], t -> (SELECT 1 FROM s.@t)) FROM s.base"),
 ('duckdb','memory',None,[],"SELECT * FROM @{customer}_db.orders JOIN s.x_@{customer} ON TRUE"),
 ('duckdb','memory',None,[],"SELECT * FROM @SQL('s.from_sql')"),
 ('duckdb','memory','INCREMENTAL_BY_TIME_RANGE(time_column ds)',[],"SELECT * FROM s.events WHERE ds BETWEEN @start_ds AND @end_ds"),
 ('duckdb','memory',None,[],"SELECT * FROM s.@VAR('missing', 'fallback_t')"),
 ('duckdb','memory',None,[],"SELECT * FROM s.t WHERE c IN @lst"),
 ('postgres','pg',None,[],"SELECT * FROM \"Sch\".\"Tbl\" JOIN Sch.Tbl ON TRUE JOIN sch.\"lower\" ON TRUE"),
 ('postgres','pg',None,[],"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r JOIN s.real_t ON TRUE"),
 ('postgres','pg',None,[],"SELECT * FROM ONLY s.parent_t"),
 ('snowflake','SF',None,[],"SELECT t.v:a::string, f.value FROM s.raw t, LATERAL FLATTEN(input => t.v:items) f JOIN s.other o ON o.id = f.value:id"),
 ('snowflake','SF',None,[],"SELECT * FROM s.t AT(TIMESTAMP => '2024-01-01'::timestamp_tz) JOIN \"lower\".t2 ON TRUE"),
 ('snowflake','SF',None,[],"WITH Cte AS (SELECT 1) SELECT * FROM cte JOIN \"Cte\" ON TRUE"),
 ('bigquery','proj',None,[],"SELECT * FROM `other-proj.ds.T` JOIN ds.Mixed ON TRUE JOIN `ds`.`x` ON TRUE"),
 ('bigquery','proj',None,[],"SELECT * FROM ds.t, UNNEST(t.arr) AS a WHERE EXISTS (SELECT 1 FROM ds.e)"),
 ('bigquery','proj',None,[],"WITH Lower AS (SELECT 1) SELECT * FROM lower JOIN ds.lower ON TRUE"),
 ('mysql',None,None,[],"SELECT * FROM `Db`.`Tbl` JOIN db2.T ON TRUE"),
 ('clickhouse',None,None,[],"SELECT * FROM Db.T FINAL ARRAY JOIN arr JOIN db.u USING (id)"),
 ('spark','spark_catalog',None,[],"SELECT * FROM `Db`.`Tbl` LATERAL VIEW explode(arr) e AS x JOIN db.Other ON TRUE"),
 ('databricks','main',None,[],"SELECT * FROM Cat.Db.T JOIN db.u ON TRUE"),
 ('tsql','master',None,[],"SELECT TOP 5 * FROM [Sch].[Tbl] t WITH (NOLOCK) OUTER APPLY (SELECT * FROM dbo.x WHERE x.id = t.id) a"),
 ('trino','hive',None,[],"SELECT * FROM s.t CROSS JOIN UNNEST(t.arr) AS u(v) JOIN Cat.S.T ON TRUE"),
 ('duckdb','memory',None,['@DEF(pick, x -> s.picked_@{x})'],"SELECT * FROM @pick(one)"),
 ('duckdb','memory',None,[],"SELECT @GENERATE_SURROGATE_KEY(a, b) AS k, @SAFE_ADD(a, (SELECT 1 FROM s.sub)) AS s2, @STAR(s.t) FROM s.t"),
 ('duckdb','memory',None,[],"SELECT * FROM s.t WHERE @AND(a > 1, @IF(@VAR('flag'), b IN (SELECT b FROM s.ib)))"),
 ('duckdb','memory',None,[],"@UNION('all', s.u1, s.u2)"),
 ('duckdb','memory',None,[],"SELECT * FROM s.t WHERE x IN (@EACH(@VAR('tbls'), t -> @t))"),
 ('duckdb','memory',None,[],"SELECT * FROM s.@{none_v}_t"),
 ('snowflake','SF',None,[],"SELECT * FROM @this_model UNION ALL SELECT * FROM s.other"),
 ('bigquery','proj',None,[],"SELECT * FROM @this_model UNION ALL SELECT * FROM ds.Other"),
]

JINJA_CASES = [
 ('duckdb','memory','INCREMENTAL_BY_TIME_RANGE(time_column ds)',"SELECT '{{ start_ds }}' AS d, {{ var('n') }} AS n FROM s.{{ var('x') }} {% if var('flag') %}JOIN s.flagged ON TRUE{% endif %}"),
 ('duckdb','memory',None,"SELECT * FROM {{ this_model }} JOIN s.t_{{ var('s') }} ON TRUE"),
]
CASES = [c + (False,) for c in CASES] + [(d, cat, kind, [], q, True) for d, cat, kind, q in JINJA_CASES]

out = []
for i, (d, cat, kind, pre, q, jinja) in enumerate(CASES):
    name = 's.m_self'
    src = f"MODEL (name {name}{', kind ' + kind if kind else ''});\n" + "".join(p + ";\n" for p in pre) + (f"JINJA_QUERY_BEGIN;\n{q}\nJINJA_END;" if jinja else q)
    try:
      m = load_sql_based_model(parse(src, default_dialect=d), default_catalog=cat, dialect=d,
                             variables=VARIABLES, blueprint_variables=BLUEPRINT)
      deps = sorted(m.depends_on)
    except Exception as e:
      print('SKIPPED', i, q, str(e).splitlines()[0], file=sys.stderr)
      continue
    out.append({'dialect': d, 'catalog': cat, 'kind': kind.split('(')[0] if kind else None, 'pre': pre, 'query': q, 'jinja': jinja,
                'fqn': m.fqn, 'depends_on': deps, 'depends_on_self': m.depends_on_self})
json.dump({'sqlmesh_version': __import__('sqlmesh').__version__, 'variables': VARIABLES, 'blueprint': BLUEPRINT,
           'cases': out}, sys.stdout, indent=1)
