package dev.sqlmeshdag.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.ProjectConfig;
import dev.sqlmeshdag.engine.LoadedProject;
import dev.sqlmeshdag.graph.ModelGraph;
import dev.sqlmeshdag.schedule.DagSchedule;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpecBuilderTest {

    static final Path ROOT = Path.of("/projects/sushi");

    static ProjectConfig config() {
        return new ProjectConfig(ROOT, "config.yaml", "", "local", List.of("local"), "duckdb", null, "duckdb",
                "memory", Map.of(), Map.of(), false, List.of(), List.of(), Set.of(), List.of());
    }

    static Model model(String table, String cron, String... deps) {
        return new Model("\"memory\".\"sushi\".\"" + table + "\"", "sushi." + table, "FULL", cron, null,
                cron.equals("@hourly") ? "hour" : "day", "2024-01-01", List.of("t"), null, null, List.of(deps),
                List.of("not_null"), "duckdb", false, Location.of("models/" + table + ".sql", 3));
    }

    static LoadedProject project(List<Model> models, List<String> selected, Problems problems) {
        ModelGraph g = ModelGraph.build(models, problems);
        List<String> order = g.orderOf(Set.copyOf(selected));
        return new LoadedProject(config(), g, order, DagSchedule.of(order.stream().map(g::model).toList(),
                LocalDateTime.parse("2024-01-01T00:00")), problems, "abc");
    }

    static final String RAW = "\"memory\".\"raw\".\"events\"";
    static final String A = "\"memory\".\"sushi\".\"a\"";
    static final String B = "\"memory\".\"sushi\".\"b\"";
    static final String C = "\"memory\".\"sushi\".\"c\"";

    @Test
    void documentHasTheContractFieldsInOrder() throws Exception {
        List<Model> models = List.of(model("c", "@daily", B), model("b", "@hourly", A), model("a", "@daily", RAW));
        JsonNode spec = new ObjectMapper().readTree(SpecBuilder.toJson(
                SpecBuilder.build(project(models, List.of(A, B, C), new Problems()), ROOT)));
        assertEquals(List.of("spec_version", "engine_version", "fingerprint", "project", "project_path", "gateway",
                "connection_type", "state_connection_type", "default_catalog", "gateway_catalogs", "dialect", "schedule",
                "schedule_reason", "models", "warnings", "errors", "unresolved"), names(spec));
        assertEquals(SpecBuilder.SPEC_VERSION, spec.get("spec_version").asInt());
        assertEquals("sushi", spec.get("project").asText(), "folder name when the config names no project");
        assertEquals("@hourly", spec.get("schedule").asText());
        JsonNode first = spec.get("models").get(0);
        assertEquals(List.of("fqn", "name", "task_id", "kind", "cron", "cron_tz", "interval_unit", "start", "tags",
                "owner", "description", "grains", "columns", "column_descriptions", "depends_on", "parents", "external",
                "audits", "dialect", "python", "file", "line"),
                names(first));
        assertEquals(A, first.get("fqn").asText());
        assertEquals("sushi__a", first.get("task_id").asText());
        assertEquals(RAW, first.get("external").get(0).asText());
        assertEquals(0, first.get("depends_on").size());
        assertTrue(first.get("cron_tz").isNull());
        assertEquals(3, first.get("line").asInt());
        assertEquals(List.of(A, B, C), fqns(spec), "topological order");
        assertEquals(A, spec.get("models").get(1).get("depends_on").get(0).asText());
    }

    @Test
    void selectionLooksThroughModelsLeftOut() throws Exception {
        List<Model> models = List.of(model("c", "@daily", B), model("b", "@daily", A), model("a", "@daily"));
        JsonNode spec = new ObjectMapper().readTree(SpecBuilder.toJson(
                SpecBuilder.build(project(models, List.of(A, C), new Problems()), ROOT)));
        assertEquals(List.of(A, C), fqns(spec));
        assertEquals(A, spec.get("models").get(1).get("depends_on").get(0).asText());
    }

    @Test
    void aModelLeftOutByATagFilterIsLookedThroughAndStaysAParent(@org.junit.jupiter.api.io.TempDir Path root)
            throws Exception {
        java.nio.file.Files.writeString(root.resolve("config.yaml"),
                "gateways:\n  local:\n    connection:\n      type: duckdb\nmodel_defaults:\n  dialect: duckdb\n");
        java.nio.file.Files.createDirectories(root.resolve("models"));
        java.nio.file.Files.writeString(root.resolve("models/a.sql"), "MODEL (name sushi.a);\nSELECT 1 AS x\n");
        java.nio.file.Files.writeString(root.resolve("models/b.sql"),
                "MODEL (name sushi.b, tags [wip]);\nSELECT * FROM sushi.a\n");
        java.nio.file.Files.writeString(root.resolve("models/c.sql"), "MODEL (name sushi.c);\nSELECT * FROM sushi.b\n");
        LoadedProject loaded = dev.sqlmeshdag.engine.Engine.load(root, new dev.sqlmeshdag.engine.Options(null,
                List.of(), List.of(), null, null, null,
                new dev.sqlmeshdag.engine.ModelFilters(null, List.of(), List.of("wip"), null)));
        JsonNode spec = new ObjectMapper().readTree(SpecBuilder.toJson(SpecBuilder.build(loaded, root)));
        assertEquals(List.of(A, C), fqns(spec));
        JsonNode c = spec.get("models").get(1);
        assertEquals(List.of(A), texts(c.get("depends_on")), "c runs after a");
        assertEquals(List.of(B), texts(c.get("parents")), "c reads b's table");
    }

    @Test
    void errorsEmptyTheModelsAndCarryFileLineCol() throws Exception {
        Problems problems = new Problems();
        problems.error(new Location("models/x.sql", 4, 7), "bad thing");
        problems.warning(new Location("models/y.sql", 2, 1), "odd thing");
        JsonNode spec = new ObjectMapper().readTree(SpecBuilder.toJson(
                SpecBuilder.build(project(List.of(model("a", "@daily")), List.of(A), problems), ROOT)));
        assertEquals(0, spec.get("models").size());
        JsonNode error = spec.get("errors").get(0);
        assertEquals("models/x.sql", error.get("file").asText());
        assertEquals(4, error.get("line").asInt());
        assertEquals(7, error.get("col").asInt());
        assertEquals("bad thing", error.get("message").asText());
        assertEquals("odd thing", spec.get("warnings").get(0).get("message").asText());
    }

    @Test
    void graphJsonIsKeyedBySortedFqnWithAllDependencies() throws Exception {
        List<Model> models = List.of(model("b", "@hourly", A, RAW), model("a", "@daily"));
        ModelGraph g = ModelGraph.build(models, new Problems());
        JsonNode json = new ObjectMapper().readTree(GraphFormats.render(g, g.topologicalOrder(),
                GraphFormats.Format.JSON));
        assertEquals(List.of(A, B), names(json.get("models")));
        JsonNode b = json.get("models").get(B);
        assertEquals(List.of("cron", "depends_on", "interval_unit", "kind", "tags"), names(b), "sorted, as Python's "
                + "json.dumps(sort_keys=True) prints SQLMesh's graph");
        assertEquals(List.of(RAW, A), texts(b.get("depends_on")), "sorted");
        assertEquals("hour", b.get("interval_unit").asText());
    }

    @Test
    void dotAndMermaidNameEveryModelAndEdge() {
        List<Model> models = List.of(model("b", "@hourly", A, RAW), model("a", "@daily"));
        ModelGraph g = ModelGraph.build(models, new Problems());
        String dot = GraphFormats.render(g, g.topologicalOrder(), GraphFormats.Format.DOT);
        assertTrue(dot.startsWith("digraph sqlmesh {") && dot.strip().endsWith("}"), dot);
        assertTrue(dot.contains("\"\\\"memory\\\".\\\"sushi\\\".\\\"a\\\"\" -> \"\\\"memory\\\".\\\"sushi\\\".\\\"b\\\"\";"), dot);
        assertTrue(dot.contains("label=\"memory.raw.events\""), dot);
        String mermaid = GraphFormats.render(g, g.topologicalOrder(), GraphFormats.Format.MERMAID);
        assertTrue(mermaid.startsWith("flowchart LR\n"), mermaid);
        assertTrue(mermaid.contains("m0 --> m1"), mermaid);
        assertTrue(mermaid.contains("([\"memory.raw.events\"]):::external"), mermaid);
    }

    static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            out.add(it.next().asText());
        }
        return out;
    }

    static List<String> fqns(JsonNode spec) {
        List<String> out = new ArrayList<>();
        spec.get("models").forEach(m -> out.add(m.get("fqn").asText()));
        return out;
    }
}
