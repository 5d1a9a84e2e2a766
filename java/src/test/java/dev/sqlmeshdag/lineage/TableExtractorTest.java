package dev.sqlmeshdag.lineage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.sql.Dialect;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Expected dependencies were printed by SQLMesh 0.236.4 (the pinned virtualenv): each query was loaded as a model with
 * {@code load_sql_based_model(...)} and its {@code depends_on} listed (projects under /tmp/lineage-norm).
 */
class TableExtractorTest {

    private static final Location WHERE = Location.of("models/m.sql", 3);

    /** Tables read, normalised as SQLMesh lists them in depends_on. */
    private static List<String> deps(String sql, String dialect, String catalog) {
        Problems problems = new Problems();
        NameNormalizer names = new NameNormalizer(dialect, catalog);
        TreeSet<String> out = new TreeSet<>();
        for (String t : TableExtractor.tables(sql, dialect, WHERE, problems)) {
            out.add(names.fqn(t));
        }
        assertTrue(problems.all().isEmpty(), () -> "unexpected problems: " + problems.all());
        assertParserAgrees(sql, dialect, names, out);
        return List.copyOf(out);
    }

    /** Both readers apply the same scoping rules; where JSqlParser reads the SQL, their answers must match. */
    private static void assertParserAgrees(String sql, String dialect, NameNormalizer names, TreeSet<String> expected) {
        Dialect d = Dialect.of(dialect).orElseThrow();
        TableExtractor.parsedTables(sql, d, names::foldIdentifier).ifPresent(parsed -> {
            TreeSet<String> fromParser = new TreeSet<>();
            parsed.forEach(t -> fromParser.add(names.fqn(t)));
            assertEquals(expected, fromParser, "JSqlParser disagrees on: " + sql);
        });
    }

    private static List<String> duck(String sql) {
        return deps(sql, "duckdb", "memory");
    }

    @Test
    void noBreakSpaceSeparatesWordsAsInSqlglot() {
        assertEquals(List.of("\"memory\".\"raw\".\"customers\"", "\"memory\".\"raw\".\"orders\""),
                duck("SELECT *\u00a0FROM\u00a0raw.orders\u00a0AS o JOIN raw.customers\u00a0ON TRUE"));
    }

    @Test
    void cteShadowsOnlyInsideItsOwnQuery() {
        assertEquals(List.of("\"b\"", "\"memory\".\"s\".\"x\""), duck("WITH a AS (SELECT * FROM s.x) SELECT * FROM a, "
                + "(WITH b AS (SELECT 1) SELECT * FROM b) q, (SELECT * FROM b) z"));
        assertEquals(List.of("\"t\""), duck("SELECT * FROM (WITH t AS (SELECT 1) SELECT * FROM t) q JOIN t ON true"));
    }

    @Test
    void cteIsVisibleOnlyAfterItsDefinition() {
        assertEquals(List.of("\"b\"", "\"memory\".\"s\".\"r\""),
                duck("WITH a AS (SELECT * FROM b), b AS (SELECT * FROM s.r) SELECT * FROM a"));
    }

    @Test
    void recursiveCteMayReadItselfButPlainCteReadsTheTable() {
        assertEquals(List.of(), duck("WITH RECURSIVE a AS (SELECT 1 AS n UNION ALL SELECT n+1 FROM a WHERE n < 3) "
                + "SELECT * FROM a"));
        assertEquals(List.of("\"a\""), duck("WITH a AS (SELECT * FROM a) SELECT * FROM a"));
    }

    @Test
    void cteHidesQualifiedTableWithSameLastName() {
        // SQLMesh compares only the table part with CTE names: s.a is hidden by CTE a
        assertEquals(List.of(), duck("WITH a AS (SELECT 1) SELECT * FROM A JOIN s.a ON TRUE"));
    }

    @Test
    void subqueriesInEveryClauseCount() {
        assertEquals(List.of("\"memory\".\"s\".\"e\"", "\"memory\".\"s\".\"h\"", "\"memory\".\"s\".\"i\"",
                "\"memory\".\"s\".\"o\"", "\"memory\".\"s\".\"q\"", "\"memory\".\"s\".\"sc\"", "\"memory\".\"s\".\"t\""),
                duck("SELECT (SELECT max(x) FROM s.sc) AS m FROM s.t WHERE id IN (SELECT id FROM s.i) AND EXISTS "
                        + "(SELECT 1 FROM s.e) GROUP BY 1 HAVING count(*) > (SELECT 1 FROM s.h) QUALIFY "
                        + "row_number() over () = (SELECT 1 FROM s.q) ORDER BY (SELECT 1 FROM s.o)"));
    }

    @Test
    void lateralCountsButUnnestAndTableFunctionsDoNot() {
        assertEquals(List.of("\"memory\".\"s\".\"lat\"", "\"memory\".\"s\".\"t\""),
                duck("SELECT * FROM s.t, LATERAL (SELECT * FROM s.lat WHERE s.lat.id = t.id) l, UNNEST([1,2]) "
                        + "u(x), read_parquet('f.parquet') rp, generate_series(1, 3) g"));
    }

    @Test
    void duckdbFileInFromIsListedByPath() {
        assertEquals(List.of("\"data/file.parquet\""), duck("SELECT * FROM 'data/file.parquet'"));
    }

    @Test
    void setOperationsWithCteAtTheTop() {
        assertEquals(List.of("\"memory\".\"s\".\"u1\"", "\"memory\".\"s\".\"u2\""), duck("WITH c AS (SELECT 1) "
                + "SELECT * FROM c UNION SELECT * FROM s.u1 EXCEPT SELECT * FROM (SELECT * FROM s.u2)"));
    }

    @Test
    void cteNamesCompareAfterCaseFolding() {
        assertEquals(List.of(), duck("WITH Foo AS (SELECT 1) SELECT * FROM foo JOIN \"FOO\" ON TRUE"));
        // ClickHouse is case-sensitive: foo is not the CTE Foo
        assertEquals(List.of("\"Db\".\"T\"", "\"foo\""),
                deps("WITH Foo AS (SELECT 1) SELECT * FROM foo JOIN Foo ON TRUE JOIN Db.T FINAL ON TRUE",
                        "clickhouse", null));
        assertEquals(List.of(), deps("WITH cte AS (SELECT 1) SELECT * FROM CTE", "snowflake", "SF_DB"));
    }

    @Test
    void cteInsideSubqueryOrCteBodyStaysThere() {
        assertEquals(List.of("\"memory\".\"s\".\"t1\""),
                duck("SELECT * FROM s.t1 AS t1 WHERE t1.a IN (WITH t1 AS (SELECT 1) SELECT * FROM t1)"));
        assertEquals(List.of("\"memory\".\"s\".\"outer_t\""), duck("WITH a AS (SELECT 1) SELECT * FROM s.outer_t "
                + "WHERE x IN (SELECT * FROM a) AND y IN (WITH z AS (SELECT * FROM a) SELECT * FROM z)"));
        assertEquals(List.of("\"inner_c\"", "\"memory\".\"s\".\"deep\""), duck("WITH a AS (WITH inner_c AS "
                + "(SELECT * FROM s.deep) SELECT * FROM inner_c) SELECT * FROM a JOIN inner_c ON TRUE"));
    }

    @Test
    void quotedAndThreePartNames() {
        assertEquals(List.of("\"cat\".\"s\".\"t2\"", "\"memory\".\"s\".\"t3\"", "\"memory\".\"sushi\".\"orders\""),
                duck("SELECT * FROM \"Sushi\".\"Orders\" o JOIN cat.s.t2 ON TRUE JOIN s.t3 AS s ON TRUE"));
        assertEquals(List.of("\"pg\".\"Sushi\".\"orders\""),
                deps("SELECT * FROM \"Sushi\".Orders", "postgres", "pg"));
    }

    @Test
    void valuesAndPivotAndExclude() {
        assertEquals(List.of(), duck("SELECT * FROM (VALUES (1), (2)) AS v(x)"));
        assertEquals(List.of("\"memory\".\"s\".\"ex\""),
                duck("SELECT * EXCLUDE (a) FROM s.ex PIVOT (sum(v) FOR k IN ('a', 'b'))"));
    }

    @Test
    void snowflakeFlattenPathsAndStages() {
        assertEquals(List.of("\"SF_DB\".\"S\".\"RAW\""), deps("SELECT f.value:id::int AS id, t.v:a.b AS x FROM s.raw t,"
                + " LATERAL FLATTEN(input => t.v:items) f", "snowflake", "SF_DB"));
        assertEquals(List.of(), deps("SELECT $1, $2 FROM @my_stage/path (FILE_FORMAT => 'ff')", "snowflake", "SF_DB"));
        assertEquals(List.of("\"SF_DB\".\"Mixed\".\"TBL\""),
                deps("SELECT * FROM TABLE(GENERATOR(ROWCOUNT => 10)) JOIN \"Mixed\".Tbl ON TRUE", "snowflake", "SF_DB"));
        assertEquals(List.of("\"SF_DB\".\"S\".\"SRC\""), deps("SELECT * FROM s.src PIVOT(SUM(amount) FOR month IN "
                + "('JAN', 'FEB')) AS p", "snowflake", "SF_DB"));
    }

    @Test
    void bigQueryPathsWildcardsAndUnnest() {
        assertEquals(List.of("\"my-proj\".\"ds\".\"t3\"", "\"proj\".\"ds\".\"T2\"", "\"proj\".\"ds\".\"tbl\""),
                deps("SELECT * FROM `proj.ds.tbl` JOIN `proj`.ds.T2 ON TRUE JOIN ds.t3 ON TRUE, UNNEST(arr) AS x",
                        "bigquery", "my-proj"));
        assertEquals(List.of("\"my-proj\".\"ds\".\"events_*\""),
                deps("SELECT * FROM ds.events_* WHERE _TABLE_SUFFIX > '1'", "bigquery", "my-proj"));
        assertEquals(List.of("\"my-proj\".\"ds\".\"tbl\""), deps("SELECT * FROM my-proj.ds.tbl", "bigquery", "my-proj"));
        assertEquals(List.of(), deps("WITH Foo AS (SELECT 1) SELECT * FROM foo", "bigquery", "my-proj"));
    }

    @Test
    void tsqlBracketsHintsAndApply() {
        assertEquals(List.of("\"master\".\"dbo\".\"my tbl\"", "\"master\".\"s\".\"x\""), deps("SELECT TOP 10 * FROM "
                + "[dbo].[My Tbl] WITH (NOLOCK) CROSS APPLY (SELECT * FROM s.x) a", "tsql", "master"));
    }

    @Test
    void clickhouseTableFunctionsAndArrayJoin() {
        assertEquals(List.of("\"db\".\"t\""),
                deps("SELECT * FROM numbers(10) JOIN db.t ARRAY JOIN arr AS a ON TRUE", "clickhouse", null));
    }

    @Test
    void fallbackScannerAgreesWithParserOnScoping() {
        String sql = "WITH a AS (SELECT * FROM s.x), b AS (SELECT * FROM a JOIN c ON TRUE) "
                + "SELECT * FROM b, (WITH c AS (SELECT 1) SELECT * FROM c) q WHERE EXTRACT(YEAR FROM d) = 1 "
                + "AND e IN (SELECT 1 FROM s.y)";
        NameNormalizer names = new NameNormalizer("duckdb", "memory");
        List<String> scanned = TableScanner.scan(sql, Dialect.DUCKDB, names);
        assertEquals(List.of("s.x", "c", "s.y"), scanned);
        assertEquals(List.of("\"c\"", "\"memory\".\"s\".\"x\"", "\"memory\".\"s\".\"y\""), duck(sql));
    }

    @Test
    void parenthesisedJoinsAndFunctionsWithFrom() {
        assertEquals(List.of("\"memory\".\"s\".\"a\"", "\"memory\".\"s\".\"b\"", "\"memory\".\"s\".\"c\""),
                duck("SELECT EXTRACT(YEAR FROM d), SUBSTRING(x FROM 2), TRIM(BOTH ' ' FROM y), a IS DISTINCT FROM b "
                        + "FROM (s.a JOIN s.b ON TRUE), s.c"));
    }

    @Test
    void unbalancedQueryKeepsWhatItFindsAndWarns() {
        Problems problems = new Problems();
        List<String> t = TableExtractor.tables("SELECT * FROM s.a WHERE x IN (SELECT 1 FROM s.b", "duckdb", WHERE,
                problems);
        assertEquals(List.of("s.a", "s.b"), t);
        assertEquals(1, problems.warnings().size());
        assertEquals(WHERE, problems.warnings().get(0).location());
        assertTrue(problems.warnings().get(0).message().contains("parentheses"));
    }

    @Test
    void namePartsMayStartWithDigits() {
        // normalize_model_name('raw.2024_orders', 'proj', 'bigquery') == '"proj"."raw"."2024_orders"'
        assertEquals(List.of("\"proj\".\"raw\".\"2024_orders\""),
                deps("SELECT * FROM raw.2024_orders", "bigquery", "proj"));
    }

    @Test
    void keywordsAfterFromAreNotTables() {
        Problems problems = new Problems();
        List<String> t = TableExtractor.tables("SELECT FROM FROM WHERE (x)", "duckdb", WHERE, problems);
        assertEquals(List.of(), t);
        assertEquals(0, problems.all().size(), "no name follows FROM, so nothing was missed");
    }
}
