package dev.sqlmeshdag.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.ProjectConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonConfigTest {

    @TempDir
    Path dir;

    /** SQLMesh 0.236.4 loads this as gateway 'local', catalog 'local', infer_names on, project 'sales'. */
    private static final String CONFIG_PY = """
            import os
            from sqlmesh.core.config import (
                Config, ModelDefaultsConfig, GatewayConfig, DuckDBConnectionConfig, NameInferenceConfig,
            )

            local = GatewayConfig(
                connection=DuckDBConnectionConfig(database=os.getenv("WH", "data/local.duckdb")),
                variables={"Region": "eu"},  # gateway-only variable
            )

            config = Config(
                project="sales",
                model_defaults=ModelDefaultsConfig(dialect="duckdb", cron="@daily"),
                gateways={"Local": local, "pg": GatewayConfig(connection=DuckDBConnectionConfig())},
                default_gateway="LOCAL",
                model_naming=NameInferenceConfig(infer_names=True),
                variables={"X": 1},
            )
            """;

    @Test
    void literalConfigIsReadWithoutRunningPython() {
        ProjectConfig config = new TestProject(dir).file("config.py", CONFIG_PY).load();
        assertEquals("config.py", config.configFile());
        assertEquals("sales", config.project());
        assertEquals("local", config.gateway());
        assertEquals(List.of("local", "pg"), config.gateways());
        assertEquals("duckdb", config.connectionType());
        assertEquals("local", config.defaultCatalog());
        assertEquals("duckdb", config.dialect());
        assertEquals(Map.of("dialect", "duckdb", "cron", "@daily"), config.modelDefaults());
        assertEquals(Map.of("x", 1L, "region", "eu"), config.variables());
        assertTrue(config.inferNames());
    }

    @Test
    void getenvUsesTheEnvironment() {
        ProjectConfig config = new TestProject(dir).file("config.py", CONFIG_PY).env("WH", "/srv/prod.duckdb").load();
        assertEquals("prod", config.defaultCatalog());
    }

    @Test
    void computedDialectIsAnErrorAtItsPosition() {
        String message = new TestProject(dir).file("config.py", CONFIG_PY.replace(
                "dialect=\"duckdb\"", "dialect=pick_dialect()")).failure();
        assertTrue(message.startsWith("config.py:13:48: cannot read model_defaults.dialect statically"
                + " (the call `pick_dialect(...)`)"), message);
    }

    @Test
    void importedGatewaysAreAnError() {
        String message = new TestProject(dir).file("config.py", CONFIG_PY.replace(
                "gateways={\"Local\": local, \"pg\": GatewayConfig(connection=DuckDBConnectionConfig())}",
                "gateways=helpers.gateways()")).failure();
        assertTrue(message.startsWith("config.py:14:14: cannot read gateways statically"), message);
    }

    @Test
    void configPyWithoutConfigObject() {
        String message = new TestProject(dir).file("config.py", "from sqlmesh.core.config import Config\n").failure();
        assertTrue(message.contains("config.py does not assign `config = Config(...)`"), message);
    }

    @Test
    void connectionTypeComesFromTheClassName() {
        ProjectConfig config = new TestProject(dir).file("config.py", """
                from sqlmesh.core.config import Config, ModelDefaultsConfig, GatewayConfig
                from sqlmesh.core.config.connection import PostgresConnectionConfig, DuckDBConnectionConfig
                config = Config(
                    model_defaults=ModelDefaultsConfig(dialect='postgres'),
                    gateways={'pg': GatewayConfig(
                        connection=PostgresConnectionConfig(host='h', user='u', password='p', port=5432,
                                                            database='warehouse'),
                        state_connection=DuckDBConnectionConfig(database='state.db'))},
                )
                """).load();
        assertEquals("postgres", config.connectionType());
        assertEquals("duckdb", config.stateConnectionType());
        assertEquals("warehouse", config.defaultCatalog());
    }

    @Test
    void numberInExponentNotationIsReadAsOneValue() {
        ProjectConfig config = new TestProject(dir)
                .file("config.py", CONFIG_PY.replace("variables={\"X\": 1}", "variables={\"X\": 1e-5}")).load();
        assertEquals(0.00001, ((Number) config.variables().get("x")).doubleValue(), 1e-12);
    }

    @Test
    void unclosedBracketIsReportedWhereItOpens() {
        String message = new TestProject(dir).file("config.py", """
                from sqlmesh.core.config import Config
                config = Config(
                    project="sales",
                """).failure();
        assertTrue(message.startsWith("config.py:2:16: cannot read config.py: '(' is never closed; add the missing ')'"),
                message);
    }
}
