package dev.sqlmeshdag.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.ProjectConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expected values were checked against SQLMesh 0.236.4's Context on the same config. */
class GatewaysTest {

    @TempDir
    Path dir;

    private static final String TWO_GATEWAYS = """
            gateways:
              Local:
                connection:
                  type: duckdb
                  catalogs:
                    Second: ':memory:'
                    first: ':memory:'
                state_connection:
                  type: postgres
                  host: h
                  database: state
                variables:
                  B: gw
                  nested: {y: 2}
                model_defaults:
                  cron: '@hourly'
              other:
                connection:
                  type: duckdb
            default_gateway: LOCAL
            model_defaults:
              dialect: duckdb
              cron: '@daily'
              owner: me
            variables:
              A: 1
              b: root
              nested: {x: 1}
            """;

    @Test
    void defaultGatewayIsMatchedCaseInsensitivelyAndItsSettingsLaidOver() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TWO_GATEWAYS).load();
        assertEquals("local", config.gateway());
        assertEquals(List.of("local", "other"), config.gateways());
        assertEquals("Second", config.defaultCatalog());
        assertEquals("duckdb", config.connectionType());
        assertEquals("postgres", config.stateConnectionType());
        assertEquals(Map.of("dialect", "duckdb", "cron", "@hourly", "owner", "me"), config.modelDefaults());
        // gateway variables replace root ones key by key, nested values are not merged
        assertEquals(Map.of("a", 1L, "b", "gw", "nested", Map.of("y", 2L)), config.variables());
    }

    @Test
    void explicitGatewayIgnoresCaseAndKeepsRootDefaults() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TWO_GATEWAYS).load("OTHER");
        assertEquals("other", config.gateway());
        assertEquals("memory", config.defaultCatalog());
        assertNull(config.stateConnectionType());
        assertEquals("@daily", config.modelDefaults().get("cron"));
        assertEquals(Map.of("a", 1L, "b", "root", "nested", Map.of("x", 1L)), config.variables());
    }

    @Test
    void unknownGatewayListsTheDefinedOnes() {
        String message = new TestProject(dir).file("config.yaml", TWO_GATEWAYS).failure("nope");
        assertTrue(message.contains("unknown gateway 'nope'; the config defines: local, other"), message);
    }

    @Test
    void defaultGatewayThatDoesNotExistPointsAtItsLine() {
        String message = new TestProject(dir)
                .file("config.yaml", TWO_GATEWAYS.replace("default_gateway: LOCAL", "default_gateway: prod")).failure();
        assertTrue(message.startsWith("config.yaml:20:18: default_gateway 'prod' is not a gateway"), message);
    }

    @Test
    void firstGatewayWinsWithoutDefault() {
        ProjectConfig config = new TestProject(dir)
                .file("config.yaml", TWO_GATEWAYS.replace("default_gateway: LOCAL\n", "")).load();
        assertEquals("local", config.gateway());
    }

    @Test
    void singleUnnamedGatewayAndDefaultConnection() {
        ProjectConfig single = new TestProject(dir.resolve("a")).file("config.yaml", """
                gateway:
                  connection: {type: duckdb, database: one.duckdb}
                model_defaults: {dialect: duckdb}
                """).load();
        assertEquals("", single.gateway());
        assertEquals("one", single.defaultCatalog());

        ProjectConfig fallback = new TestProject(dir.resolve("b")).file("config.yaml", """
                default_connection: {type: postgres, host: h, database: Analytics}
                model_defaults: {dialect: postgres}
                """).load();
        assertEquals("postgres", fallback.connectionType());
        assertEquals("Analytics", fallback.defaultCatalog());
    }

    @Test
    void noConnectionAnywhereIsAnError() {
        String message = new TestProject(dir).file("config.yaml", "model_defaults:\n  dialect: duckdb\n").failure();
        assertTrue(message.contains("no connection configured"), message);
    }

    @Test
    void connectionTypeIsCheckedInEveryGateway() {
        String message = new TestProject(dir).file("config.yaml", TWO_GATEWAYS.replace(
                "  other:\n    connection:\n      type: duckdb", "  other:\n    connection:\n      type: duckbd"))
                .failure();
        assertTrue(message.contains("config.yaml:19:13: unknown connection type 'duckbd'"), message);
    }
}
