package dev.sqlmeshdag.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.ProjectConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {

    @TempDir
    Path dir;

    @Test
    void readsEachAcceptedFileName() {
        for (String name : List.of("config.yaml", "config.yml", "sqlmesh.yaml", "sqlmesh.yml")) {
            TestProject project = new TestProject(dir.resolve(name)).file(name, TestProject.DUCKDB);
            ProjectConfig config = project.load();
            assertEquals(name, config.configFile());
            assertEquals("duckdb", config.dialect());
        }
    }

    @Test
    void twoConfigFilesInTheProjectAreRejectedLikeSqlmesh() {
        String message = new TestProject(dir).file("config.yaml", TestProject.DUCKDB)
                .file("sqlmesh.yaml", TestProject.DUCKDB).failure();
        assertTrue(message.contains("multiple configuration files"), message);
        assertTrue(message.contains("config.yaml") && message.contains("sqlmesh.yaml"), message);
    }

    @Test
    void configPyNextToConfigYamlIsAlsoRejected() {
        String message = new TestProject(dir).file("config.yaml", TestProject.DUCKDB)
                .file("config.py", "config = None\n").failure();
        assertTrue(message.contains("config.py, config.yaml"), message);
    }

    @Test
    void missingConfigSaysWhatToAdd() {
        String message = new TestProject(dir).file("models/a.sql", "SELECT 1").failure();
        assertTrue(message.contains("no SQLMesh config found") && message.contains("config.yaml"), message);
    }

    @Test
    void personalConfigIsMergedOverTheProjectOne() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                variables:
                  keep: 1
                  replace: project
                """).personal("config.yaml", """
                variables:
                  replace: personal
                """).load();
        assertEquals(1L, config.variables().get("keep"));
        assertEquals("personal", config.variables().get("replace"));
    }

    @Test
    void emptyConfigIsAnError() {
        String message = new TestProject(dir).file("config.yaml", "# nothing yet\n").failure();
        assertTrue(message.startsWith("config.yaml:1:1:") && message.contains("empty"), message);
    }
}
