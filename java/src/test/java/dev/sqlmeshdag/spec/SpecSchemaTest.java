package dev.sqlmeshdag.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.ModelKind;
import dev.sqlmeshdag.core.Problem;
import dev.sqlmeshdag.core.Unresolved;
import dev.sqlmeshdag.engine.Engine;
import dev.sqlmeshdag.engine.Options;
import dev.sqlmeshdag.schedule.IntervalUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The spec the engine writes is the one the committed JSON Schema describes, which the Python side checks too. */
class SpecSchemaTest {

    static final Path SCHEMA_FILE = Path.of("spec/sqlmesh-dag-spec.schema.json");
    static final ObjectMapper JSON = new ObjectMapper();

    static Schema schema() throws Exception {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(SCHEMA_FILE), InputFormat.JSON);
    }

    static JsonNode schemaTree() throws Exception {
        return JSON.readTree(SCHEMA_FILE.toFile());
    }

    static List<String> violations(String spec) throws Exception {
        return schema().validate(spec, InputFormat.JSON).stream().map(Error::toString).toList();
    }

    static Stream<Path> projects() throws Exception {
        Path fidelity = Path.of(SpecSchemaTest.class.getResource("/dev/sqlmeshdag/engine/fidelity/project").toURI());
        List<Path> out = new ArrayList<>(List.of(fidelity, Path.of("examples/shop")));
        try (Stream<Path> shimProjects = Files.list(Path.of("python-shim/tests/projects"))) {
            shimProjects.filter(Files::isDirectory).sorted().forEach(out::add);
        }
        try (Stream<Path> bad = Files.list(Path.of("fidelity/bad"))) {
            bad.filter(Files::isDirectory).sorted().forEach(out::add);
        }
        return out.stream();
    }

    @Test
    void everySpecTheEngineWritesForTheTestProjectsMatchesTheSchema() throws Exception {
        List<String> checked = new ArrayList<>();
        for (Path project : projects().toList()) {
            String spec = SpecBuilder.toJson(SpecBuilder.build(Engine.load(project, Options.defaults()), project));
            assertEquals(List.of(), violations(spec), project.toString());
            checked.add(project.getFileName() + ":" + JSON.readTree(spec).get("models").size());
        }
        // the test projects hold models, errors and unresolved pieces, so each part of the schema is exercised
        assertTrue(checked.size() > 10, checked.toString());
        String failure = SpecBuilder.toJson(SpecBuilder.failure(Path.of("/nowhere/p"),
                List.of(Problem.error(null, "bad options"))));
        assertEquals(List.of(), violations(failure));
    }

    /** A spec with every value that may be null set, and one entry in every list. */
    static SpecDocument everyFieldSet() {
        SpecDocument.ModelEntry model = new SpecDocument.ModelEntry("\"db\".\"s\".\"a\"", "s.a", "s__a",
                "INCREMENTAL_BY_TIME_RANGE", "@hourly", "UTC", "hour", "2024-01-01", List.of("t"), "me", "rows",
                List.of("id"), java.util.Map.of("id", "INT"), java.util.Map.of("id", "the key"),
                List.of("\"db\".\"s\".\"b\""), List.of("\"db\".\"s\".\"b\""), List.of("\"db\".\"raw\".\"x\""),
                List.of("not_null"), "duckdb", true,
                "models/a.py", 3);
        SpecDocument.ProblemEntry warning = SpecDocument.ProblemEntry.of(
                Problem.warning(new Location("models/a.py", 3, 5), "odd"));
        SpecDocument.UnresolvedEntry unresolved = new SpecDocument.UnresolvedEntry(Unresolved.Kind.MODEL.label(),
                "models/a.py", 3, "\"db\".\"s\".\"a\"", "a Python macro");
        return new SpecDocument(SpecBuilder.SPEC_VERSION, "1.0", "f", "p", "/p", "local", "duckdb", "postgres", "db",
                java.util.Map.of("local", "db", "other", "other_db"), "duckdb", "@hourly", "every model runs @hourly", List.of(model), List.of(warning), List.of(),
                List.of(unresolved));
    }

    @Test
    void everyKeyTheRecordsWriteIsInTheSchemaAndRequiredThere() throws Exception {
        String spec = SpecBuilder.toJson(everyFieldSet());
        assertEquals(List.of(), violations(spec));
        JsonNode doc = JSON.readTree(spec);
        JsonNode defs = schemaTree().get("$defs");
        assertEquals(required(schemaTree()), keys(doc));
        assertEquals(required(defs.get("model")), keys(doc.get("models").get(0)));
        assertEquals(required(defs.get("problem")), keys(doc.get("warnings").get(0)));
        assertEquals(required(defs.get("unresolved")), keys(doc.get("unresolved").get(0)));
    }

    @Test
    void theSchemaRefusesAKeyItDoesNotDescribe() throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree(SpecBuilder.toJson(everyFieldSet()));
        ((ObjectNode) doc.get("models").get(0)).put("materialized", true);
        List<String> errors = violations(doc.toString());
        assertFalse(errors.isEmpty());
        assertTrue(errors.get(0).contains("materialized"), errors.toString());
        doc = (ObjectNode) JSON.readTree(SpecBuilder.toJson(everyFieldSet()));
        ((ObjectNode) doc.get("models").get(0)).put("kind", "INCREMENTAL");
        assertFalse(violations(doc.toString()).isEmpty(), "a kind SQLMesh does not have");
    }

    @Test
    void theSchemasNamesAreTheEnginesOwn() throws Exception {
        JsonNode schema = schemaTree();
        JsonNode defs = schema.get("$defs");
        assertEquals(ModelKind.names(), SpecBuilderTest.texts(defs.get("model_kind").get("enum")));
        assertEquals(Arrays.stream(IntervalUnit.values()).map(IntervalUnit::value).toList(),
                SpecBuilderTest.texts(defs.get("interval_unit").get("enum")));
        assertEquals(Arrays.stream(Unresolved.Kind.values()).map(Unresolved.Kind::label).toList(),
                SpecBuilderTest.texts(defs.get("unresolved").get("properties").get("kind").get("enum")));
        assertEquals(SpecBuilder.SPEC_VERSION, schema.get("properties").get("spec_version").get("const").asInt());
    }

    static Set<String> required(JsonNode objectSchema) {
        return new TreeSet<>(SpecBuilderTest.texts(objectSchema.get("required")));
    }

    static Set<String> keys(JsonNode node) {
        return new TreeSet<>(SpecBuilderTest.names(node));
    }
}
