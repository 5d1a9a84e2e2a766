package dev.sqlmeshdag.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.ProjectConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplatingTest {

    @TempDir
    Path dir;

    private static final String TEMPLATED = """
            gateways:
              local:
                connection:
                  type: duckdb
                  database: "{{ env_var('WAREHOUSE_FILE', 'fallback.duckdb') }}"
            model_defaults:
              dialect: {{ env_var('DIALECT') }}
            """;

    @Test
    void envVarValueIsSubstitutedBeforeParsing() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TEMPLATED)
                .env("WAREHOUSE_FILE", "data/sales.duckdb").env("DIALECT", "DuckDB").load();
        assertEquals("sales", config.defaultCatalog());
        assertEquals("duckdb", config.dialect());
    }

    @Test
    void envVarDefaultAppliesWhenUnset() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TEMPLATED).env("DIALECT", "duckdb").load();
        assertEquals("fallback", config.defaultCatalog());
    }

    @Test
    void missingEnvVarWithoutDefaultBecomesTheTextNoneAsInSqlmesh() {
        TestProject project = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                project: {{ env_var('TEAM') }}
                """);
        ProjectConfig config = project.load();
        assertEquals("None", config.project());
        assertTrue(project.warnings().contains("config.yaml:8:10: warning: environment variable 'TEAM' is not set"),
                project.warnings());
    }

    @Test
    void dotEnvFileInTheProjectProvidesVariables() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TEMPLATED)
                .file(".env", "# local settings\nexport WAREHOUSE_FILE=\"lake.duckdb\"\nDIALECT=postgres # comment\n")
                .env("WAREHOUSE_FILE", "overridden-by-dotenv.duckdb").load();
        assertEquals("lake", config.defaultCatalog());
        assertEquals("postgres", config.dialect());
    }

    @Test
    void sqlmeshPrefixedVariablesOverrideConfigKeys() {
        ProjectConfig config = new TestProject(dir)
                .file("config.yaml", """
                        gateways:
                          local:
                            connection: {type: duckdb, database: db.duckdb}
                          other:
                            connection: {type: duckdb, database: other.duckdb}
                        model_defaults:
                          dialect: duckdb
                        """)
                .env("SQLMESH__DEFAULT_GATEWAY", "other")
                .env("SQLMESH__MODEL_DEFAULTS__DIALECT", "snowflake")
                .env("SQLMESH__VARIABLES__REGION", "eu")
                .load();
        assertEquals("other", config.gateway());
        assertEquals("other", config.defaultCatalog());
        assertEquals("snowflake", config.dialect());
        assertEquals("eu", config.variables().get("region"));
    }

    @Test
    void unsupportedJinjaIsReportedWithItsPosition() {
        String message = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                project: "{{ lookup('x') }}"
                """).failure();
        assertTrue(message.startsWith("config.yaml:8:11: cannot evaluate '{{ lookup('x') }}'"), message);
    }
}
