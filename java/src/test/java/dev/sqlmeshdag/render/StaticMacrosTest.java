package dev.sqlmeshdag.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.lineage.TableExtractor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expected tables are those SQLMesh 0.236.4 lists for the same macros (fidelity corpus 41-python-macros). */
class StaticMacrosTest {

    private static final String HELPERS = """
            from sqlmesh import macro


            @macro()
            def source_table(evaluator, name):
                return f"raw.{name.name}_v2"


            @macro()
            def positive(evaluator, column):
                return f"{column.sql()} > 0"


            @macro()
            def computed(evaluator, name):
                prefix = "raw"
                return f"{prefix}.{name.name}"
            """;

    @Test
    void onlySingleReturnBodiesWithParameterPlaceholdersAreEvaluable() {
        List<StaticMacros.Macro> macros = StaticMacros.parse(HELPERS);
        assertEquals(List.of("source_table", "positive"), macros.stream().map(StaticMacros.Macro::name).toList());
        StaticMacros.Macro source = macros.get(0);
        assertEquals(Optional.of("raw.orders_v2"), StaticMacros.apply(source, List.of("orders")));
        assertEquals(Optional.of("raw.orders_v2"), StaticMacros.apply(source, List.of("shop.orders")));
        assertEquals(Optional.of("raw.Orders_v2"), StaticMacros.apply(source, List.of("\"Orders\"")));
        assertTrue(StaticMacros.apply(source, List.of("a + b")).isEmpty(), "an expression's .name is not simple");
        assertTrue(StaticMacros.apply(source, List.of("a", "b")).isEmpty(), "wrong number of arguments");
    }

    @Test
    void projectMacroRendersIntoTheQueryAndItsTableIsTheDependency(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("macros"));
        Files.writeString(root.resolve("macros/helpers.py"), HELPERS);
        Set<String> names = Set.of("source_table", "positive", "computed");
        Map<String, StaticMacros.Macro> macros = StaticMacros.read(root, names);
        RenderContext context = new RenderContext("duckdb", Map.of(), Map.of(), "\"memory\".\"s\".\"a\"", "local",
                names, null, macros);
        Problems problems = new Problems();
        Location at = Location.of("models/a.sql", 2);
        ModelSource model = new ModelSource("models/a.sql", Location.of("models/a.sql", 1), false, Map.of(),
                List.of(), "SELECT * FROM @source_table(orders) WHERE @positive(id)", at, List.of(), Map.of(),
                List.of(), false);
        String rendered = new MacroRenderer(context).renderQuery(model, problems);
        assertEquals(List.of("raw.orders_v2"), TableExtractor.tables(rendered, "duckdb", at, problems));
        assertTrue(problems.all().isEmpty(), problems.all().toString());

        ModelSource other = new ModelSource("models/b.sql", Location.of("models/b.sql", 1), false, Map.of(),
                List.of(), "SELECT * FROM @computed(orders)", Location.of("models/b.sql", 2), List.of(), Map.of(),
                List.of(), false);
        new MacroRenderer(context).renderQuery(other, problems);
        assertEquals("models/b.sql:2:15", problems.warnings().get(0).location().toString(),
                "a macro that is not a single return still warns at its call");
    }
}
