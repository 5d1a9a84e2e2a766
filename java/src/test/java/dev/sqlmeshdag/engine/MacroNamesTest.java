package dev.sqlmeshdag.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Macro variables inside quoted identifiers, for each dialect's identifier quote, and the names the engine refuses to
 * emit. Expected dependencies are what SQLMesh 0.236.4 lists for the same project (fidelity/sqlmesh_graph.py, DuckDB
 * connection, {@code model_defaults.dialect} as in each test); where the engine deliberately differs (a name SQLMesh
 * keeps half-rendered, a table named "null") the test says so.
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
    void duckdbDoubleQuotesTakeVariablesCaseInsensitively() throws IOException {
        project("duckdb", "SELECT * FROM \"@src\".\"a\" JOIN \"pre_@{x}_post\".b ON TRUE JOIN \"@X\".\"Up\" ON TRUE");
        LoadedProject p = load();
        assertEquals(List.of("\"memory\".\"orders\".\"up\"", "\"memory\".\"pre_orders_post\".\"b\"",
                "\"memory\".\"raw_db\".\"a\""), dependsOn(p, "\"memory\".\"s\".\"m\""));
        assertEquals(List.of(), warnings(p));
    }

    @Test
    void snowflakeQuotedNameKeepsTheCaseOfTextAroundTheValue() throws IOException {
        project("snowflake", "SELECT * FROM \"@src\".\"Tbl_@{x}\" JOIN \"@SRC\".plain ON TRUE");
        LoadedProject p = load();
        assertEquals(List.of("\"MEMORY\".\"raw_db\".\"PLAIN\"", "\"MEMORY\".\"raw_db\".\"Tbl_orders\""),
                dependsOn(p, "\"MEMORY\".\"S\".\"M\""));
        assertEquals(List.of(), warnings(p));
    }

    @Test
    void databricksBackticksTakeVariablesButDoubleQuotesAreAString() throws IOException {
        // "@x" is a string literal in Databricks, which SQLMesh does not template: no table and no warning
        project("databricks", "SELECT \"@x\" AS s FROM `@src`.`a` JOIN `@{src}_v`.b ON TRUE "
                + "JOIN `@src`.`T_@{x}` ON TRUE");
        LoadedProject p = load();
        assertEquals(List.of("\"memory\".\"raw_db\".\"a\"", "\"memory\".\"raw_db\".\"t_orders\"",
                "\"memory\".\"raw_db_v\".\"b\""), dependsOn(p, "\"memory\".\"s\".\"m\""));
        assertEquals(List.of(), warnings(p));
    }

    @Test
    void tsqlBracketsAndDoubleQuotesTakeVariables() throws IOException {
        project("tsql", "SELECT * FROM [@src].[a] JOIN \"@{x}\".b ON 1 = 1 JOIN [pre_@x].[C] ON 1 = 1");
        LoadedProject p = load();
        assertEquals(List.of("\"memory\".\"orders\".\"b\"", "\"memory\".\"pre_orders\".\"c\"",
                "\"memory\".\"raw_db\".\"a\""), dependsOn(p, "\"memory\".\"s\".\"m\""));
        assertEquals(List.of(), warnings(p));
    }

    @Test
    void bigqueryBacktickPathMayHoldAVariable() throws IOException {
        project("bigquery", "SELECT * FROM `@src`.`t_@x` JOIN `@src.whole` ON TRUE");
        LoadedProject p = load();
        assertEquals(List.of("\"memory\".\"raw_db\".\"t_orders\"", "\"memory\".\"raw_db\".\"whole\""),
                dependsOn(p, "\"memory\".\"s\".\"m\""));
        assertEquals(List.of(), warnings(p));
    }

    @Test
    void postgresQuotedNameKeepsItsCase() throws IOException {
        project("postgres", "SELECT * FROM \"@src\".\"T\" JOIN \"@{x}_Mixed\".c ON TRUE");
        LoadedProject p = load();
        assertEquals(List.of("\"memory\".\"orders_Mixed\".\"c\"", "\"memory\".\"raw_db\".\"T\""),
                dependsOn(p, "\"memory\".\"s\".\"m\""));
    }

    @Test
    void undefinedVariableInQuotedNameLeavesTheTableOutWithAWarningAtItsLine() throws IOException {
        // SQLMesh lists "memory"."@nope"."a", a table that cannot exist; the engine leaves it out and says where
        project("duckdb", "SELECT *\nFROM \"@nope\".a JOIN s.ok ON TRUE");
        LoadedProject p = load();
        assertEquals(List.of("\"memory\".\"s\".\"ok\""), dependsOn(p, "\"memory\".\"s\".\"m\""));
        List<Problem> warnings = warnings(p);
        assertEquals(1, warnings.size(), warnings::toString);
        assertEquals(new Location("models/m.sql", 3, 6), warnings.get(0).location());
        assertTrue(warnings.get(0).message().contains("@nope"), warnings.get(0).message());
    }

    @Test
    void templateTakesTheLongestNameSoAPrefixCanBeUndefined() throws IOException {
        // SQLMesh reads "@n_@flag" as @n_ (undefined, kept) then @flag: "@n_true", half rendered
        project("duckdb", "SELECT * FROM \"@n_@flag\".c JOIN s.ok ON TRUE");
        LoadedProject p = load();
        assertEquals(List.of("\"memory\".\"s\".\"ok\""), dependsOn(p, "\"memory\".\"s\".\"m\""));
        assertEquals(1, warnings(p).size(), () -> warnings(p).toString());
        assertTrue(warnings(p).get(0).message().contains("@n_ "), warnings(p).get(0).message());
    }

    @Test
    void aVariableInsideANameIsFilledOnlyWhenTheModelUsesIt() throws IOException {
        // SQLMesh gives a model only the variables it uses, and finds uses inside names case-sensitively:
        // "@Src" alone stays "@src" (depends_on "memory"."@src"."u"); beside @src it is filled
        project("duckdb", "SELECT * FROM \"@Src\".u JOIN s.ok ON TRUE");
        LoadedProject alone = load();
        assertEquals(List.of("\"memory\".\"s\".\"ok\""), dependsOn(alone, "\"memory\".\"s\".\"m\""));
        assertEquals(1, warnings(alone).size(), () -> warnings(alone).toString());
        assertTrue(warnings(alone).get(0).message().contains("lower case"), warnings(alone).get(0).message());

        project("duckdb", "SELECT @src AS source, * FROM \"@Src\".u JOIN s.ok ON TRUE");
        LoadedProject used = load();
        assertEquals(List.of("\"memory\".\"raw_db\".\"u\"", "\"memory\".\"s\".\"ok\""),
                dependsOn(used, "\"memory\".\"s\".\"m\""));
        assertEquals(List.of(), warnings(used));
    }

    @Test
    void aJinjaQueryUsesTheVariablesOfItsVarCallsOnly() throws IOException {
        // SQLMesh scans a Jinja query's var() calls for uses, not the SQL it renders to: "@src" stays unfilled
        // (depends_on "memory"."@src"."t", "memory"."orders"."u") until the query also calls var('src')
        project("duckdb", "JINJA_QUERY_BEGIN;\nSELECT * FROM \"@src\".t JOIN {{ var('x') }}.u ON TRUE\nJINJA_END;");
        LoadedProject unused = load();
        assertEquals(List.of("\"memory\".\"orders\".\"u\""), dependsOn(unused, "\"memory\".\"s\".\"m\""));
        assertEquals(1, warnings(unused).size(), () -> warnings(unused).toString());

        project("duckdb", "JINJA_QUERY_BEGIN;\nSELECT * FROM \"@src\".t JOIN {{ var('src') }}.u ON TRUE\nJINJA_END;");
        LoadedProject used = load();
        assertEquals(List.of("\"memory\".\"raw_db\".\"t\"", "\"memory\".\"raw_db\".\"u\""),
                dependsOn(used, "\"memory\".\"s\".\"m\""));
        assertEquals(List.of(), warnings(used));
    }

    @Test
    void unquotedNameTemplateFollowsTheSameRuleAndNeverFailsTheLoad() throws IOException {
        // SQLMesh loads both and lists "memory"."s"."tbl_@{src}" and "memory"."s"."tbl_@{nope}"
        project("duckdb", "SELECT * FROM s.tbl_@{Src} JOIN s.tbl_@{nope} ON TRUE JOIN s.ok ON TRUE");
        LoadedProject p = load();
        assertEquals(List.of("\"memory\".\"s\".\"ok\""), dependsOn(p, "\"memory\".\"s\".\"m\""));
        assertEquals(2, warnings(p).size(), () -> warnings(p).toString());
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
