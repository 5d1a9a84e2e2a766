package dev.sqlmeshdag.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sqlmeshdag.core.ModelKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Facts the engine copies from the pinned SQLMesh are SQLMesh's (needs $SQLMESH_PYTHON). */
class SqlmeshFactsTest {

    private static final String SCRIPT = String.join("\n",
            "import json",
            "from sqlmesh.core.model.kind import MODEL_KIND_NAME_TO_TYPE, ModelKindName",
            "out = {}",
            "for name, cls in MODEL_KIND_NAME_TO_TYPE.items():",
            "    out[str(getattr(name, 'value', name))] = [sorted(cls.all_fields() - {'name'}),",
            "                                               sorted(cls.required_fields() - {'name'}), cls.__name__]",
            "from sqlmesh.core.audit.builtin import BUILT_IN_AUDITS",
            "from sqlmesh.core.config.connection import CONNECTION_CONFIG_TO_TYPE",
            "connections = {t: c.__name__ for t, c in CONNECTION_CONFIG_TO_TYPE.items()}",
            "print(json.dumps({'kinds': out, 'names': [k.value for k in ModelKindName],",
            "                  'audits': sorted(BUILT_IN_AUDITS), 'connections': connections}))", "");

    private static JsonNode sqlmesh() throws Exception {
        Path python = Path.of(System.getenv().getOrDefault("SQLMESH_PYTHON", ".venv/bin/python"));
        assumeTrue(Files.isExecutable(python), "no Python with SQLMesh at " + python);
        Process p = new ProcessBuilder(python.toString(), "-c", SCRIPT).start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(120, TimeUnit.SECONDS);
        return new ObjectMapper().readTree(out);
    }

    @Test
    void connectionTypesAndTheirConfigClassesAreSqlmeshs() throws Exception {
        Map<String, String> sqlmesh = new TreeMap<>();
        sqlmesh().get("connections").fields().forEachRemaining(e -> sqlmesh.put(e.getKey(), e.getValue().asText()));
        assertEquals(sqlmesh, dev.sqlmeshdag.project.ConnectionTypes.CLASSES);
    }

    @Test
    void builtInAuditsAreSqlmeshs() throws Exception {
        Set<String> expected = new TreeSet<>();
        ModelAssembler.BUILT_IN_AUDITS.forEach(a -> {
            expected.add(a);
            expected.add(a + "_non_blocking");
        });
        assertEquals(strings(sqlmesh().get("audits")), expected);
    }

    @Test
    void kindFieldsAreSqlmeshs() throws Exception {
        JsonNode sqlmesh = sqlmesh().get("kinds");
        Map<String, Set<String>> fields = new TreeMap<>();
        Map<String, Set<String>> required = new TreeMap<>();
        sqlmesh.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("CUSTOM")) {
                fields.put(e.getKey(), strings(e.getValue().get(0)));
                Set<String> req = strings(e.getValue().get(1));
                if (!req.isEmpty()) {
                    required.put(e.getKey(), req);
                }
            }
        });
        Map<String, Set<String>> engineFields = new TreeMap<>();
        Map<String, Set<String>> engineRequired = new TreeMap<>();
        for (ModelKind kind : ModelKind.values()) {
            kind.fields().ifPresent(f -> engineFields.put(kind.name(), f));
            if (kind.fields().isPresent() && !kind.requiredFields().isEmpty()) {
                engineRequired.put(kind.name(), kind.requiredFields());
            }
        }
        assertEquals(fields, engineFields);
        assertEquals(required, engineRequired);
    }

    @Test
    void kindNamesAndClassesAreSqlmeshs() throws Exception {
        JsonNode sqlmesh = sqlmesh();
        List<String> names = new ArrayList<>();
        sqlmesh.get("names").forEach(n -> names.add(n.asText()));
        assertEquals(names, ModelKind.names(), "SQLMesh's kind names, in its order");
        sqlmesh.get("kinds").fields().forEachRemaining(e -> {
            String className = e.getValue().get(2).asText();
            ModelKind read = ModelKind.ofPythonClass(className).orElseThrow();
            // SCD_TYPE_2 shares SCD_TYPE_2_BY_TIME's class, so an object of it reads as the latter
            assertEquals(className, sqlmesh.get("kinds").get(read.name()).get(2).asText(), e.getKey());
        });
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
