package dev.sqlmeshdag.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
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
            "from sqlmesh.core.model.kind import MODEL_KIND_NAME_TO_TYPE",
            "out = {}",
            "for name, cls in MODEL_KIND_NAME_TO_TYPE.items():",
            "    out[str(getattr(name, 'value', name))] = [sorted(cls.all_fields() - {'name'}),",
            "                                               sorted(cls.required_fields() - {'name'})]",
            "from sqlmesh.core.audit.builtin import BUILT_IN_AUDITS",
            "print(json.dumps({'kinds': out, 'audits': sorted(BUILT_IN_AUDITS)}))", "");

    private static JsonNode sqlmesh() throws Exception {
        Path python = Path.of(System.getenv().getOrDefault("SQLMESH_PYTHON", ".venv/bin/python"));
        assumeTrue(Files.isExecutable(python), "no Python with SQLMesh at " + python);
        Process p = new ProcessBuilder(python.toString(), "-c", SCRIPT).start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(120, TimeUnit.SECONDS);
        return new ObjectMapper().readTree(out);
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
        assertEquals(fields, new TreeMap<>(ModelAssembler.KIND_FIELDS));
        assertEquals(required, new TreeMap<>(ModelAssembler.REQUIRED_KIND_FIELDS));
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
