package dev.sqlmeshdag.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sqlmeshdag.spec.GraphFormats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The engine against answers recorded from real SQLMesh on the same project (fidelity/generate_expected.py
 * regenerates them): the whole graph, and what each selector expression selects.
 */
class SqlmeshFidelityTest {

    static Path fixture(String name) throws Exception {
        return Path.of(SqlmeshFidelityTest.class.getResource("fidelity/" + name).toURI());
    }

    @Test
    void graphMatchesSqlmeshContextModels() throws Exception {
        LoadedProject p = Engine.load(fixture("project"), Options.defaults());
        assertFalse(p.hasErrors(), p.problems().all().toString());
        ObjectMapper json = new ObjectMapper();
        JsonNode ours = json.readTree(GraphFormats.render(p.graph(), p.selected(), GraphFormats.Format.JSON));
        JsonNode sqlmesh = json.readTree(fixture("expected-graph.json").toFile());
        List<String> diffs = new ArrayList<>();
        Set<String> fqns = new TreeSet<>();
        ours.get("models").fieldNames().forEachRemaining(fqns::add);
        sqlmesh.get("models").fieldNames().forEachRemaining(fqns::add);
        for (String fqn : fqns) {
            JsonNode a = ours.get("models").get(fqn);
            JsonNode b = sqlmesh.get("models").get(fqn);
            if (a == null || !a.equals(b)) {
                diffs.add(fqn + "\n  engine:  " + a + "\n  sqlmesh: " + b);
            }
        }
        assertTrue(diffs.isEmpty(), String.join("\n", diffs));
        assertEquals(6, fqns.size());
    }

    @Test
    void selectorsMatchSqlmeshsSelector() throws Exception {
        List<String> rows = Files.readAllLines(fixture("expected-selections.tsv"), StandardCharsets.UTF_8);
        int checked = 0;
        for (String row : rows) {
            if (row.startsWith("#") || row.isBlank()) {
                continue;
            }
            String[] cols = row.split("\t", -1);
            LoadedProject p = Engine.load(fixture("project"), new Options(null, List.of(cols[0]), List.of(), null));
            Set<String> expected = new TreeSet<>(cols[1].isEmpty() ? List.of() : Arrays.asList(cols[1].split(",")));
            assertEquals(expected, new TreeSet<>(p.selected()), "selector " + cols[0]);
            checked++;
        }
        assertEquals(18, checked);
    }
}
