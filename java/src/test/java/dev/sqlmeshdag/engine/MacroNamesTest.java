package dev.sqlmeshdag.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names the engine refuses to emit as dependencies. Expected dependencies are what SQLMesh 0.236.4 lists for the same
 * project (fidelity/sqlmesh_graph.py, DuckDB connection, {@code model_defaults.dialect} as in each test); where the
 * engine deliberately differs (a name SQLMesh keeps half-rendered, a table named "null") the test says so.
 */
class MacroNamesTest {

    @TempDir
    Path root;

    private void project(String dialect, String query) throws IOException {
        write("config.yaml", """
                gateways:
                  local:
                    connection:
                      type: duckdb
                default_gateway: local
                model_defaults:
                  dialect: %s
                variables:
                  src: raw_db
                  x: orders
                  n: 3
                  flag: true
                """.formatted(dialect));
        write("models/m.sql", "MODEL (name s.m, kind FULL);\n" + query + "\n");
    }

    private void write(String relative, String text) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    private LoadedProject load() {
        LoadedProject p = Engine.load(root, Options.defaults());
        assertFalse(p.hasErrors(), () -> p.problems().all().toString());
        return p;
    }

    private static List<String> dependsOn(LoadedProject p, String fqn) {
        return p.graph().model(fqn).dependsOn();
    }

    private static List<Problem> warnings(LoadedProject p) {
        return p.problems().all().stream().filter(w -> !w.isError()).toList();
    }

    @Test
    void variableRenderedToNullIsNoTable() throws IOException {
        // SQLMesh lists a dependency named "null" for FROM @VAR('nope'); no such table can exist
        project("duckdb", "SELECT * FROM @VAR('nope') JOIN s.ok ON TRUE");
        LoadedProject p = load();
        assertEquals(List.of("\"memory\".\"s\".\"ok\""), dependsOn(p, "\"memory\".\"s\".\"m\""));
        assertEquals(1, warnings(p).size(), () -> warnings(p).toString());
        assertTrue(warnings(p).get(0).message().contains("NULL"), warnings(p).get(0).message());
    }

    @Test
    void unknownJinjaExpressionInANameLeavesTheTableOut() throws IOException {
        project("duckdb", "JINJA_QUERY_BEGIN;\nSELECT * FROM raw.{{ my_jinja_macro() }} JOIN s.ok ON TRUE\n"
                + "JINJA_END;");
        LoadedProject p = load();
        assertEquals(List.of("\"memory\".\"s\".\"ok\""), dependsOn(p, "\"memory\".\"s\".\"m\""));
        assertEquals(1, warnings(p).size(), () -> warnings(p).toString());
        assertEquals(3, warnings(p).get(0).location().line());
        assertTrue(p.graph().models().values().stream().flatMap(m -> m.dependsOn().stream())
                .noneMatch(d -> d.toLowerCase().contains("null")));
    }

    @Test
    void pythonMacroInsideADottedNameLeavesTheTableOut() throws IOException {
        project("duckdb", "SELECT * FROM raw.@suffixed('t') JOIN s.ok ON TRUE");
        write("macros/m.py", "from sqlmesh import macro\n\n\n@macro()\ndef suffixed(evaluator, name):\n"
                + "    prefix = 'x_'\n    return prefix + name.name\n");
        LoadedProject p = load();
        assertEquals(List.of("\"memory\".\"s\".\"ok\""), dependsOn(p, "\"memory\".\"s\".\"m\""));
        assertEquals(1, warnings(p).size(), () -> warnings(p).toString());
        assertTrue(warnings(p).get(0).message().contains("@suffixed"), warnings(p).get(0).message());
    }
}
