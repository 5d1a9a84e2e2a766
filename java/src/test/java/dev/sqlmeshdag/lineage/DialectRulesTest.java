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
 * One dialect rule per test, seen where users see it: the tables a query reads. Expected lists were printed by
 * SQLMesh 0.236.4 from the pinned virtualenv (fidelity corpus projects 57 and 58 hold the same queries).
 */
class DialectRulesTest {

    private static final Location WHERE = Location.of("models/m.sql", 3);

    private static List<String> deps(String sql, String dialect) {
        Problems problems = new Problems();
        NameNormalizer names = new NameNormalizer(dialect, "memory");
        TreeSet<String> out = new TreeSet<>();
        for (String t : TableExtractor.tables(sql, dialect, WHERE, problems)) {
            out.add(names.fqn(t));
        }
        assertTrue(problems.all().isEmpty(), () -> "unexpected problems: " + problems.all());
        return List.copyOf(out);
    }

    @Test
    void snowflakeBackslashEscapesAQuote() {
        assertEquals(List.of("\"MEMORY\".\"RAW\".\"CUSTOMERS\"", "\"MEMORY\".\"RAW\".\"ORDERS\""),
                deps("SELECT 'it\\'s' AS a, '\\\\' AS b FROM raw.orders JOIN raw.customers ON TRUE", "snowflake"));
    }

    @Test
    void redshiftBackslashEscapesAQuote() {
        assertEquals(List.of("\"memory\".\"raw\".\"orders\""), deps("SELECT 'it\\'s' AS a FROM raw.orders", "redshift"));
    }

    @Test
    void postgresBackslashIsAnOrdinaryCharacter() {
        assertEquals(List.of("\"memory\".\"raw\".\"orders\""),
                deps("SELECT 'C:\\' AS path FROM raw.orders", "postgres"));
    }

    @Test
    void sqliteBackslashIsAnOrdinaryCharacterThoughItQuotesWithBackticks() {
        assertEquals(List.of("\"memory\".\"raw\".\"orders\""), deps("SELECT 'C:\\' AS p FROM raw.orders", "sqlite"));
    }

    @Test
    void commentsAndHeredocsHideWhatTheyHold() {
        assertEquals(List.of("\"memory\".\"raw\".\"t\""),
                deps("SELECT 1 FROM raw.t # FROM fake.hash\n", "singlestore"));
        assertEquals(List.of("\"MEMORY\".\"RAW\".\"T\""),
                deps("SELECT 1 FROM raw.t // FROM fake.slash\n", "snowflake"));
        assertEquals(List.of("\"memory\".\"raw\".\"t\""),
                deps("SELECT $q$ FROM fake.q $q$ AS s FROM raw.t", "postgres"));
        assertEquals(List.of("\"memory\".\"raw\".\"t\""),
                deps("SELECT '''it's FROM fake.t''' AS s FROM raw.t", "bigquery"));
    }

    @Test
    void redshiftHashIsPartOfAName() {
        // '#' is no single token to Redshift's tokenizer, so #temp_orders is one name
        assertEquals(List.of("\"#a#b\"", "\"#temp_orders\"", "\"memory\".\"raw\".\"t#x\""),
                deps("SELECT * FROM #temp_orders, raw.t#x, #a#b", "redshift"));
    }

    @Test
    void sparkEndsANameAtADollar() {
        assertEquals(List.of("\"memory\".\"raw\".\"t\""), deps("SELECT * FROM raw.t$x", "spark"));
        assertEquals(List.of("\"memory\".\"raw\".\"t$x\""), deps("SELECT * FROM raw.t$x", "duckdb"));
    }

    @Test
    void tsqlTempTablesAreListedWithoutTheirHashes() {
        assertEquals(List.of("\"g\"", "\"memory\".\"dbo\".\"tmp\"", "\"tmp\""),
                deps("SELECT * FROM #tmp AS x JOIN ##g ON 1 = 1, dbo.#tmp", "tsql"));
    }

    @Test
    void everyDialectOfThePinnedSqlglotIsAccepted() {
        for (String name : List.of("singlestore", "prql", "solr", "tableau", "dune", "exasol", "fabric", "druid")) {
            assertTrue(Dialect.of(name).isPresent(), name);
        }
        assertTrue(Dialect.of("nosuchdialect").isEmpty());
    }

    @Test
    void bigqueryQualifiedTableKeepsItsCaseSoItIsNotTheCte() {
        assertEquals(List.of("\"memory\".\"Ds\".\"Foo\""),
                deps("WITH Foo AS (SELECT 1 AS a) SELECT * FROM `FOO`, foo, Ds.Foo", "bigquery"));
        // elsewhere a CTE hides a qualified name with its name (sqlglot compares names only)
        assertEquals(List.of(), deps("WITH foo AS (SELECT 1 AS a) SELECT * FROM ds.foo", "duckdb"));
    }

    @Test
    void bigqueryJoinedItemNamingAnEarlierAliasIsAnImplicitUnnest() {
        assertEquals(List.of("\"memory\".\"Ds\".\"Tbl1\""), deps("SELECT * FROM Ds.Tbl1 AS T, T.Arr", "bigquery"));
        assertEquals(List.of("\"memory\".\"Ds\".\"Tbl3\""),
                deps("SELECT * FROM Ds.Tbl3 AS T CROSS JOIN T.Arr", "bigquery"));
        // with ON it is a join of a table
        assertEquals(List.of("\"memory\".\"Ds\".\"Tbl6\"", "\"memory\".\"T\".\"Arr\""),
                deps("SELECT * FROM Ds.Tbl6 AS T JOIN T.Arr ON TRUE", "bigquery"));
    }

    @Test
    void bigqueryComparesTheJoinedItemAsAColumnAndTheFromTableAsATable() {
        // `T.Arr` in one pair of backticks is a case-sensitive table path, no longer the alias t
        assertEquals(List.of("\"memory\".\"Ds\".\"Tbl2\"", "\"memory\".\"T\".\"Arr\""),
                deps("SELECT * FROM Ds.Tbl2 AS T, `T.Arr`", "bigquery"));
        // the FROM table's name keeps its case (Tbl4), the joined item folds like a column (tbl4): no match
        assertEquals(List.of("\"memory\".\"Ds\".\"Tbl4\"", "\"memory\".\"Tbl4\".\"Arr\""),
                deps("SELECT * FROM Ds.Tbl4, Tbl4.Arr", "bigquery"));
    }

    @Test
    void aSubqueryAliasCountsForImplicitUnnestsAnUnnestAliasDoesNot() {
        assertEquals(List.of(), deps("SELECT * FROM (SELECT 1 AS x) AS S, S.arr", "bigquery"));
        assertEquals(List.of(), deps("SELECT * FROM (SELECT 1 AS x) S CROSS JOIN s.arr", "bigquery"));
        // sqlglot files UNNEST(...) AS u's alias as a column alias: u.x is a table
        assertEquals(List.of("\"memory\".\"u\".\"x\""), deps("SELECT * FROM UNNEST([1]) AS u, u.x", "bigquery"));
        assertEquals(List.of("\"memory\".\"raw\".\"t\"", "\"memory\".\"raw\".\"u\""),
                deps("SELECT * FROM raw.t AS a JOIN raw.u USING (id), u.items", "bigquery"));
    }

    @Test
    void redshiftHasImplicitUnnestsAndDuckdbDoesNot() {
        assertEquals(List.of("\"memory\".\"raw\".\"t\""), deps("SELECT * FROM raw.t AS a, a.items", "redshift"));
        assertEquals(List.of("\"memory\".\"a\".\"items\"", "\"memory\".\"raw\".\"t\""),
                deps("SELECT * FROM raw.t AS a, a.items", "duckdb"));
    }
}
