package dev.sqlmeshdag.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.ProjectConfig;
import dev.sqlmeshdag.core.Property;
import dev.sqlmeshdag.core.PropertyValue;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The assembly rules on hand-built sources, independent of the parsers. */
class ModelAssemblerTest {

    static final LocalDateTime NOW = LocalDateTime.parse("2024-05-01T10:00");

    static ProjectConfig config(Map<String, Object> defaults, boolean infer) {
        return new ProjectConfig(Path.of("/p/proj"), "config.yaml", "", "local", List.of("local"), "duckdb", null,
                "duckdb", "memory", defaults, Map.of(), infer, List.of(), List.of(), Set.of(), List.of());
    }

    static ModelSource python(String file, Map<String, PropertyValue> props, List<String> deps) {
        Map<String, Property> properties = new LinkedHashMap<>();
        int line = 2;
        for (var e : props.entrySet()) {
            properties.put(e.getKey(), new Property(e.getKey(), e.getValue(), Location.of(file, line++)));
        }
        return new ModelSource(file, Location.of(file, 1), true, properties, List.of(), null, null, List.of(),
                Map.of(), deps, false);
    }

    static PropertyValue.Scalar s(String v) {
        return new PropertyValue.Scalar(v, true);
    }

    @Test
    void pythonModelTakesItsStaticDependenciesNormalised() {
        Problems problems = new Problems();
        Map<String, PropertyValue> props = new LinkedHashMap<>();
        props.put("name", s("Sushi.Py"));
        props.put("kind", new PropertyValue.Call("incremental_by_time_range",
                Map.of("time_column", new PropertyValue.Scalar("ds", false)), List.of()));
        props.put("audits", new PropertyValue.ListValue(List.of(new PropertyValue.Scalar("unique_values", false)),
                false));
        Optional<Model> m = new ModelAssembler(config(Map.of("audits", List.of("not_null(columns := [id])")), false),
                NOW).assemble(python("models/py.py", props, List.of("sushi.orders", "other.db.t")), problems);
        assertTrue(m.isPresent(), problems.all().toString());
        assertEquals("\"memory\".\"sushi\".\"py\"", m.get().fqn());
        assertEquals("Sushi.Py", m.get().name());
        assertEquals("INCREMENTAL_BY_TIME_RANGE", m.get().kind());
        assertEquals(List.of("\"memory\".\"sushi\".\"orders\"", "\"other\".\"db\".\"t\""), m.get().dependsOn());
        assertEquals(List.of("not_null", "unique_values"), m.get().audits(), "defaults first, as SQLMesh merges");
        assertTrue(m.get().python());
    }

    @Test
    void defaultKindMayBeAMappingAndUnknownKindsAreErrors() {
        Problems problems = new Problems();
        Map<String, Object> defaults = Map.of("kind", Map.of("name", "full"));
        Model m = new ModelAssembler(config(defaults, false), NOW)
                .assemble(python("models/a.py", Map.of("name", s("s.a")), List.of()), problems).orElseThrow();
        assertEquals("FULL", m.kind());
        Optional<Model> bad = new ModelAssembler(config(Map.of(), false), NOW).assemble(python("models/b.py",
                new LinkedHashMap<>(Map.of("name", s("s.b"), "kind", new PropertyValue.Scalar("FULLL", false)))
                , List.of()), problems);
        assertTrue(bad.isEmpty());
        assertTrue(problems.errors().get(0).message().startsWith("unknown model kind 'FULLL'"));
    }

    @Test
    void unknownModelDialectIsAnErrorAtTheProperty() {
        Problems problems = new Problems();
        Map<String, PropertyValue> props = new LinkedHashMap<>();
        props.put("name", s("s.a"));
        props.put("dialect", s("duckdbx"));
        assertTrue(new ModelAssembler(config(Map.of(), false), NOW)
                .assemble(python("models/a.py", props, List.of()), problems).isEmpty());
        assertEquals("models/a.py:3:1: unknown dialect 'duckdbx'; use a SQL dialect SQLMesh knows, such as duckdb, "
                + "postgres, snowflake, bigquery or spark", problems.errors().get(0).toString());
    }

    @Test
    void pythonModelsDefaultToFullLikeSqlmesh() {
        Problems problems = new Problems();
        Model m = new ModelAssembler(config(Map.of(), false), NOW)
                .assemble(python("models/a.py", Map.of("name", s("s.a")), List.of()), problems).orElseThrow();
        assertEquals("FULL", m.kind());
    }

    /** Checked against SQLMesh 0.236.4: model_defaults.kind FULL leaves a kind-less SQL model a VIEW. */
    @Test
    void defaultKindAppliesToPythonModelsButNotToSqlModels() {
        Problems problems = new Problems();
        ModelAssembler assembler = new ModelAssembler(config(Map.of("kind", "INCREMENTAL_UNMANAGED"), false), NOW);
        Model py = assembler.assemble(python("models/p.py", Map.of("name", s("s.p")), List.of()), problems)
                .orElseThrow();
        ModelSource sqlSource = new ModelSource("models/a.sql", Location.of("models/a.sql", 1), false,
                Map.of("name", new Property("name", s("s.a"), Location.of("models/a.sql", 1))), List.of(),
                "SELECT 1 AS x FROM raw.t", Location.of("models/a.sql", 2), List.of(), Map.of(), List.of(), false);
        Model sql = assembler.assemble(sqlSource, problems).orElseThrow();
        assertEquals("INCREMENTAL_UNMANAGED", py.kind());
        assertEquals("VIEW", sql.kind());
        assertEquals(List.of("\"memory\".\"raw\".\"t\""), sql.dependsOn());
    }

    static ModelSource sqlWithEnabled(String name, PropertyValue enabled) {
        Map<String, Property> props = new LinkedHashMap<>();
        props.put("name", new Property("name", s(name), Location.of("models/m.sql", 1)));
        props.put("enabled", new Property("enabled", enabled, Location.of("models/m.sql", 2)));
        return new ModelSource("models/m.sql", Location.of("models/m.sql", 1), false, props, List.of(),
                "SELECT 1 AS x", Location.of("models/m.sql", 3), List.of(), Map.of(), List.of(), false);
    }

    @Test
    void enabledIsRenderedFromVariablesBeforeItDecides() {
        Problems problems = new Problems();
        ProjectConfig withVars = new ProjectConfig(Path.of("/p/proj"), "config.yaml", "", "local", List.of("local"),
                "duckdb", null, "duckdb", "memory", Map.of(), Map.of("with_beta", false, "with_gamma", true), false,
                List.of(), List.of(), Set.of(), List.of());
        ModelAssembler assembler = new ModelAssembler(withVars, NOW);
        PropertyValue beta = new PropertyValue.Scalar("@with_beta", false);
        PropertyValue gamma = new PropertyValue.Scalar("@with_gamma", false);
        assertTrue(assembler.assemble(sqlWithEnabled("s.beta", beta), problems).isEmpty(), "variable is false");
        assertTrue(assembler.assemble(sqlWithEnabled("s.gamma", gamma), problems).isPresent(), "variable is true");
        assertTrue(assembler.assemble(sqlWithEnabled("s.off", new PropertyValue.Scalar("false", false)), problems)
                .isEmpty());
        assertTrue(assembler.assemble(sqlWithEnabled("s.on", new PropertyValue.Scalar("yes", true)), problems)
                .isPresent());
        assertTrue(problems.all().isEmpty(), problems.all().toString());
    }

    /** Expected names are the ones SQLMesh 0.236.4 lists for the same blueprint (fidelity corpus 29). */
    @Test
    void pythonBlueprintVariablesAreSubstitutedInDependsOn() {
        Problems problems = new Problems();
        Map<String, Property> props = new LinkedHashMap<>();
        props.put("name", new Property("name", s("@{shop}.stock"), Location.of("models/bp.py", 2)));
        props.put("depends_on", new Property("depends_on", new PropertyValue.ListValue(List.of(
                s("raw.@{shop}_stock"), s("@src"), s("@{shop}")), false), Location.of("models/bp.py", 3)));
        ModelSource src = new ModelSource("models/bp.py", Location.of("models/bp.py", 1), true, props, List.of(),
                null, null, List.of(), Map.of("shop", s("north"), "src", s("Ref.North_Prices")), List.of(), false);
        Model m = new ModelAssembler(config(Map.of(), false), NOW).assemble(src, problems).orElseThrow();
        assertEquals("\"memory\".\"north\".\"stock\"", m.fqn());
        assertEquals(List.of("\"memory\".\"raw\".\"north_stock\"", "\"north\"", "\"ref.north_prices\""),
                m.dependsOn());
        assertTrue(problems.all().isEmpty(), problems.all().toString());
    }

    @Test
    void missingNameWithoutInferenceIsAnError() {
        Problems problems = new Problems();
        assertTrue(new ModelAssembler(config(Map.of(), false), NOW)
                .assemble(python("models/a.py", Map.of(), List.of()), problems).isEmpty());
        assertEquals("models/a.py:1:1: the model has no name; add a 'name' property to its MODEL block (or set "
                + "model_naming.infer_names: true in the config to name models after their path under models/)",
                problems.errors().get(0).toString());
    }

    @Test
    void inferredNamesFollowSqlmeshsPathRule() {
        Path root = Path.of("/p/proj");
        assertEquals("sch.tbl", ModelAssembler.inferName(root, "models/sch/tbl.sql").orElseThrow());
        assertEquals("cat.sch.tbl", ModelAssembler.inferName(root, "models/cat/sch/tbl.py").orElseThrow());
        assertEquals("b.c.tbl", ModelAssembler.inferName(root, "models/a/b/c/tbl.sql").orElseThrow());
        assertEquals("tbl", ModelAssembler.inferName(root, "models/tbl.sql").orElseThrow());
    }
}
