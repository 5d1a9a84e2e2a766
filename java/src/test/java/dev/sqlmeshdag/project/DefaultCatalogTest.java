package dev.sqlmeshdag.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.ProjectConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DefaultCatalogTest {

    @TempDir
    Path dir;

    private ProjectConfig withConnection(String connection) {
        return project(connection).load();
    }

    private TestProject project(String connection) {
        return new TestProject(dir).file("config.yaml", "gateways:\n  main:\n    connection: " + connection
                + "\n  duck:\n    connection: {type: duckdb}\nmodel_defaults:\n  dialect: duckdb\n");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{type: duckdb, database: db.duckdb}                          | db",
        "{type: duckdb, database: data/My.File.duckdb}                | My.File",
        "{type: duckdb, database: ':memory:'}                         | memory",
        "{type: duckdb}                                               | memory",
        "{type: duckdb, catalogs: {Second: a.duckdb, first: b.duckdb}} | Second",
        "{type: postgres, host: h, database: Analytics}               | Analytics",
        "{type: redshift, host: h, database: sales}                   | sales",
        "{type: redshift, host: h}                                    | dev",
        "{type: snowflake, account: a, database: RAW}                 | RAW",
        "{type: bigquery, project: my-proj}                           | my-proj",
        "{type: databricks, catalog: main}                            | main",
        "{type: spark}                                                | spark_catalog",
        "{type: spark, catalog: lake}                                 | lake",
        "{type: trino, host: h, catalog: hive}                        | hive",
        "{type: athena}                                               | awsdatacatalog",
        "{type: mssql, database: dw}                                  | dw",
        "{type: db2, database: sample}                                | SAMPLE",
        "{type: gcp_postgres, db: app}                                | app",
    })
    void catalogComesFromTheConnection(String connection, String expected) {
        assertEquals(expected, withConnection(connection).defaultCatalog());
    }

    @ParameterizedTest
    @CsvSource({"mysql", "starrocks"})
    void enginesWithoutCatalogsHaveNone(String type) {
        assertNull(withConnection("{type: " + type + ", host: h, database: x}").defaultCatalog());
    }

    @Test
    void clickhouseAloneHasNoCatalogButGetsAVirtualOneNextToCatalogGateways() {
        ProjectConfig alone = new TestProject(dir.resolve("alone")).file("config.yaml",
                "gateways:\n  ch:\n    connection: {type: clickhouse, host: h}\nmodel_defaults: {dialect: clickhouse}\n")
                .load();
        assertNull(alone.defaultCatalog());
        assertEquals("__main__", withConnection("{type: clickhouse, host: h}").defaultCatalog());
        assertEquals("ch", new TestProject(dir.resolve("named")).file("config.yaml", "gateways:\n  main:\n"
                + "    connection: {type: clickhouse, host: h, virtual_catalog: ch}\n  duck:\n"
                + "    connection: {type: duckdb}\nmodel_defaults: {dialect: clickhouse}\n").load().defaultCatalog());
    }

    @Test
    void catalogOnlyTheWarehouseKnowsIsAWarning() {
        TestProject project = project("{type: snowflake, account: a}");
        assertNull(project.load().defaultCatalog());
        assertTrue(project.warnings().contains("does not set `database`"), project.warnings());
    }

    @Test
    void requiredDatabaseMissingIsAnError() {
        String message = project("{type: postgres, host: h}").failure();
        assertTrue(message.startsWith("config.yaml:3:17:") && message.contains("needs `database`"), message);
    }

    @Test
    void duckdbDatabaseAndCatalogsTogetherAreRejected() {
        String message = project("{type: duckdb, database: a.duckdb, catalogs: {b: b.duckdb}}").failure();
        assertTrue(message.contains("sets both `database` and `catalogs`"), message);
    }
}
