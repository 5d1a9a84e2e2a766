package dev.sqlmeshdag.lineage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/**
 * Every expectation here was printed by SQLMesh 0.236.4 (the pinned virtualenv), with
 * {@code sqlmesh.core.dialect.normalize_model_name(name, default_catalog, dialect)} (the function behind
 * {@code Model.fqn} and {@code Model.depends_on}); the table file holds the full matrix.
 */
class NameNormalizerTest {

    @ParameterizedTest(name = "{0} [{1}] {2} -> {3}")
    @CsvFileSource(resources = "sqlmesh-normalized-names.tsv", delimiterString = "\t", quoteCharacter = '~',
            numLinesToSkip = 1, nullValues = {})
    void matchesSqlmeshForEveryDialect(String dialect, String catalog, String name, String expected) {
        assertEquals(expected, new NameNormalizer(dialect, catalog).fqn(name));
    }

    @Test
    void defaultCatalogGoesOnlyOnTwoPartNames() {
        NameNormalizer duck = new NameNormalizer("duckdb", "memory");
        assertEquals("\"orders\"", duck.fqn("orders"));
        assertEquals("\"memory\".\"sushi\".\"orders\"", duck.fqn("sushi.orders"));
        assertEquals("\"other\".\"sushi\".\"orders\"", duck.fqn("other.sushi.orders"));
    }

    @Test
    void defaultCatalogIsFoldedLikeAnyIdentifier() {
        // normalize_model_name('sushi.orders', 'Memory', 'duckdb') and ('sushi.orders', 'sf_db', 'snowflake')
        assertEquals("\"memory\".\"sushi\".\"orders\"", new NameNormalizer("duckdb", "Memory").fqn("sushi.orders"));
        assertEquals("\"SF_DB\".\"SUSHI\".\"ORDERS\"", new NameNormalizer("snowflake", "sf_db").fqn("sushi.orders"));
        // ('s.t', 'My-DB', 'postgres'): not a plain word, so it counts as quoted and keeps its case
        assertEquals("\"My-DB\".\"s\".\"t\"", new NameNormalizer("postgres", "My-DB").fqn("s.t"));
    }

    @Test
    void bigQueryKeepsCaseOfQualifiedNamesButFoldsLoneNames() {
        NameNormalizer bq = new NameNormalizer("bigquery", "my-proj");
        assertEquals("\"my-proj\".\"Sushi\".\"Orders\"", bq.fqn("Sushi.Orders"));
        assertEquals("\"orders\"", bq.fqn("Orders"));
        assertEquals("\"proj\".\"ds\".\"t\"", bq.fqn("`proj.ds`.t"));
        assertEquals("\"my-proj\".\"ds\".\"tbl\"", bq.fqn("my-proj.ds.tbl"));
    }

    @Test
    void mysqlWithoutDefaultCatalogKeepsTwoParts() {
        assertEquals("\"Db\".\"T\"", new NameNormalizer("mysql", null).fqn("`Db`.T"));
        assertEquals("\"Db\".\"T\"", new NameNormalizer("clickhouse", null).fqn("Db.T"));
    }

    @Test
    void tsqlBracketsAreQuotesButStillFolded() {
        // normalize_model_name('[My Db].[dbo].[T]', 'master', 'tsql') == '"my db"."dbo"."t"'
        assertEquals("\"my db\".\"dbo\".\"t\"", new NameNormalizer("tsql", "master").fqn("[My Db].[dbo].[T]"));
    }

    @Test
    void dialectSettingCanOverrideCaseRule() {
        // SQLMesh: dialect 'snowflake,normalization_strategy=case_sensitive' keeps unquoted case
        assertEquals("\"DB\".\"Sushi\".\"orders\"",
                new NameNormalizer("snowflake,normalization_strategy=case_sensitive", "DB").fqn("Sushi.orders"));
    }
}
