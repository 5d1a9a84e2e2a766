package dev.sqlmeshdag.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.ExternalModel;
import dev.sqlmeshdag.core.ProjectConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file lists below are the ones SQLMesh 0.236.4 loaded from the same project layout. */
class ProjectFilesTest {

    @TempDir
    Path dir;

    private static final String MODEL = "MODEL (name s.x, kind FULL); SELECT 1 AS x";

    private TestProject layout() {
        return new TestProject(dir).file("config.yaml", """
                gateways:
                  Dev:
                    connection: {type: duckdb}
                  prod:
                    connection: {type: duckdb, database: warehouse.duckdb}
                model_defaults:
                  dialect: duckdb
                ignore_patterns:
                  - "models/staging/*"
                  - "legacy"
                """)
                .file("models/a.sql", MODEL)
                .file("models/staging/b.sql", MODEL)
                .file("models/staging/deep/c.sql", MODEL)
                .file("models/legacy/d.sql", MODEL)
                .file("models/.hidden/e.sql", MODEL)
                .file("models/py/f.py", "from sqlmesh import model\n")
                .file("models/empty.sql", "")
                .file("models/notes.md", "not a model")
                .file("external_models.yaml", """
                        - name: raw.orders
                        - name: raw.customers
                          gateway: PROD
                        """)
                .file("external_models/more.yaml", """
                        - name: raw.orders
                          gateway: prod
                          columns: {x: int}
                        - name: raw.items
                        """);
    }

    private static List<String> relative(ProjectConfig config) {
        return config.modelFiles().stream().map(p -> config.root().relativize(p).toString()).toList();
    }

    @Test
    void modelFilesFollowIgnorePatternsAsSqlmeshApplies() {
        ProjectConfig config = layout().load();
        // "models/staging/*" drops only direct children; a bare folder name drops nothing; empty files are skipped
        assertEquals(List.of("models/.hidden/e.sql", "models/a.sql", "models/legacy/d.sql", "models/py/f.py",
                "models/staging/deep/c.sql"), relative(config));
        assertEquals(List.of("models/staging/*", "legacy"), config.ignorePatterns());
    }

    @Test
    void recursiveAndRightAnchoredPatterns() {
        ProjectConfig config = layout().file("config.yaml", """
                gateways: {dev: {connection: {type: duckdb}}}
                model_defaults: {dialect: duckdb}
                ignore_patterns: ["models/staging/**/*", "py/*", ".hidden/*"]
                """).load();
        assertEquals(List.of("models/a.sql", "models/legacy/d.sql"), relative(config));
    }

    @Test
    void checkpointFoldersAreIgnoredByDefault() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TestProject.DUCKDB)
                .file("models/a.sql", MODEL).file("models/sub/.ipynb_checkpoints/a-checkpoint.sql", MODEL).load();
        assertEquals(List.of("models/a.sql"), relative(config));
    }

    @Test
    void externalModelsWithoutGatewayApplyAndGatewayOnesOverride() {
        List<ExternalModel> dev = layout().load().externalModels();
        assertEquals(List.of("raw.orders", "raw.items"), dev.stream().map(ExternalModel::name).toList());
        assertEquals(List.of("external_models.yaml:1", "external_models/more.yaml:4"),
                dev.stream().map(e -> e.location().file() + ":" + e.location().line()).toList());

        List<ExternalModel> prod = layout().load("PROD").externalModels();
        assertEquals(List.of("raw.orders:prod:external_models/more.yaml", "raw.customers:prod:external_models.yaml",
                "raw.items:null:external_models/more.yaml"), prod.stream()
                .map(e -> e.name() + ":" + e.gateway() + ":" + e.location().file()).toList());
    }

    @Test
    void legacySchemaYamlIsReadOnlyWithoutExternalModelsYaml() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TestProject.DUCKDB)
                .file("schema.yaml", "- name: legacy.tbl\n").load();
        assertEquals(List.of("legacy.tbl"), config.externalModels().stream().map(ExternalModel::name).toList());
    }

    @Test
    void externalEntryWithoutNameIsAnError() {
        String message = new TestProject(dir).file("config.yaml", TestProject.DUCKDB)
                .file("external_models.yaml", "- name: a.b\n- columns: {x: int}\n").failure();
        assertTrue(message.startsWith("external_models.yaml:2:3: external model entry has no `name`"), message);
    }

    @Test
    void userMacrosAreTheRegisteredNames() {
        TestProject project = new TestProject(dir).file("config.yaml", TestProject.DUCKDB).file("macros/m.py", """
                from sqlmesh import macro
                import sqlmesh

                @macro
                def Bare(evaluator):
                    return 1

                @macro()
                def Paren(evaluator):
                    return 1

                @macro("Custom_Name")
                def other(evaluator):
                    return 1

                @sqlmesh.macro(metadata_only=True)
                def Qualified(evaluator):
                    return 1
                """);
        ProjectConfig config = project.load();
        assertEquals(Set.of("paren", "custom_name", "qualified"), config.userMacros());
        assertTrue(project.warnings().contains("macros/m.py:4:1: warning: `@macro` without parentheses"),
                project.warnings());
    }
}
