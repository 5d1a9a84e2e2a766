package dev.sqlmeshdag.lineage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.Property;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.render.MacroRenderer;
import dev.sqlmeshdag.render.RenderContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rendering, table extraction and normalisation together must give the depends_on SQLMesh itself computes.
 * The cases file was written by SQLMesh 0.236.4 ({@code generate_depends_on_cases.py} next to it, run with
 * the pinned virtualenv's Python, .venv/bin/python), which loads every case with {@code load_sql_based_model} and records
 * {@code depends_on} and {@code depends_on_self}.
 */
class SqlmeshDependsOnTest {

    private static final Location AT = Location.of("models/case.sql", 1);

    static Stream<Arguments> cases() throws IOException {
        try (InputStream in = SqlmeshDependsOnTest.class.getResourceAsStream("sqlmesh-depends-on-cases.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, Object> variables = new ObjectMapper().convertValue(root.get("variables"),
                    new TypeReference<LinkedHashMap<String, Object>>() { });
            Map<String, PropertyValue> blueprint = new LinkedHashMap<>();
            root.get("blueprint").fields().forEachRemaining(e ->
                    blueprint.put(e.getKey(), new PropertyValue.Scalar(e.getValue().asText(), false)));
            List<Arguments> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                out.add(Arguments.of(c.get("dialect").asText() + ": " + c.get("query").asText(), c, variables,
                        blueprint));
            }
            return out.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesSqlmesh(String title, JsonNode c, Map<String, Object> variables, Map<String, PropertyValue> bp) {
        String dialect = c.get("dialect").asText();
        String catalog = c.get("catalog").isNull() ? null : c.get("catalog").asText();
        String fqn = c.get("fqn").asText();
        Problems problems = new Problems();

        String rendered = new MacroRenderer(new RenderContext(dialect, variables, bp, fqn, "local", Set.of()))
                .renderQuery(source(c, bp), problems);
        NameNormalizer names = new NameNormalizer(dialect, catalog);
        TreeSet<String> all = new TreeSet<>();
        for (String table : TableExtractor.tables(rendered, dialect, AT, problems)) {
            all.add(names.fqn(table));
        }
        boolean self = all.remove(fqn);

        assertFalse(problems.hasErrors(), () -> problems.all().toString());
        assertEquals(strings(c.get("depends_on")), new ArrayList<>(all), () -> "rendered as: " + rendered);
        assertEquals(c.get("depends_on_self").asBoolean(), self);
        assertEquals(fqn, names.fqn("s.m_self"));
    }

    private static ModelSource source(JsonNode c, Map<String, PropertyValue> bp) {
        Map<String, Property> props = new LinkedHashMap<>();
        if (!c.get("kind").isNull()) {
            props.put("kind", new Property("kind",
                    new PropertyValue.Call(c.get("kind").asText(), Map.of(), List.of()), AT));
        }
        return new ModelSource("models/case.sql", AT, false, props, strings(c.get("pre")), c.get("query").asText(),
                AT.plusLines(1), List.of(), bp, List.of(), c.get("jinja").asBoolean());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
