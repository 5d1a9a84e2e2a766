package dev.sqlmeshdag.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.ProjectConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadInputTest {

    @TempDir
    Path dir;

    private String failure(String yaml) {
        return new TestProject(dir).file("config.yaml", yaml).failure();
    }

    @Test
    void yamlSyntaxErrorCarriesTheParserPosition() {
        // SQLMesh's parser stops at the same place: line 2, column 2 ("expected ',' or ']'")
        String message = failure("a: [1\nb: 2\n");
        assertTrue(message.startsWith("config.yaml:2:2: invalid YAML:"), message);
    }

    @Test
    void unknownTopLevelKeyIsRejectedLikeSqlmesh() {
        String message = failure(TestProject.DUCKDB + "modle_defaults: {}\n");
        assertTrue(message.startsWith("config.yaml:8:1: unknown config key 'modle_defaults'"), message);
    }

    @Test
    void unknownModelDefaultsKey() {
        String message = failure(TestProject.DUCKDB + "  dialekt: x\n");
        assertTrue(message.startsWith("config.yaml:8:3: 'dialekt' is not a valid model_defaults key"), message);
    }

    @Test
    void unknownGatewayKey() {
        String message = failure(TestProject.DUCKDB.replace("    connection:", "    conection:"));
        assertTrue(message.contains("config.yaml:3:5: unknown key 'conection' in gateway 'local'"), message);
    }

    @Test
    void missingDialectTellsWhereToSetIt() {
        String message = failure("gateways:\n  local:\n    connection: {type: duckdb}\n");
        assertTrue(message.contains("model_defaults.dialect is not set") && message.contains("dialect: duckdb"),
                message);
    }

    @Test
    void dialectOnlyInAGatewayIsNotEnoughForSqlmesh() {
        String message = failure("gateways:\n  local:\n    connection: {type: duckdb}\n"
                + "    model_defaults: {dialect: duckdb}\n");
        assertTrue(message.contains("model_defaults.dialect is not set"), message);
    }

    @Test
    void duplicateKeyIsAnError() {
        String message = failure(TestProject.DUCKDB + "model_defaults:\n  dialect: postgres\n");
        assertTrue(message.startsWith("config.yaml:8:1: duplicate key 'model_defaults' (first defined on line 6)"),
                message);
    }

    @Test
    void keysMovedUnderPlanAreNamed() {
        String message = failure(TestProject.DUCKDB + "auto_categorize_changes: {sql: full}\n");
        assertTrue(message.contains("config.yaml:8:1: `auto_categorize_changes` is no longer a top-level key"),
                message);
    }

    @Test
    void configThatIsNotAMapping() {
        String message = failure("- just\n- a list\n");
        assertTrue(message.startsWith("config.yaml:1:1: the config file must be a YAML mapping"), message);
    }

    @Test
    void yamlScalarsFollowYaml12AsSqlmeshDoes() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                variables:
                  flag: yes
                  count: 010
                  big: 1_000
                  on: true
                  ratio: 1e3
                """).load();
        assertEquals("yes", config.variables().get("flag"));
        assertEquals(10L, config.variables().get("count"));
        assertEquals(1000L, config.variables().get("big"));
        assertEquals(true, config.variables().get("on"));
        assertEquals(1000.0, config.variables().get("ratio"));
    }
}
