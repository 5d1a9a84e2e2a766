package dev.sqlmeshdag.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.graph.ModelGraph;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphFormatsTest {

    static Model model(String fqn, String kind, String cron, String unit, List<String> tags, String... deps) {
        return new Model(fqn, fqn.replace("\"", ""), kind, cron, null, unit, null, tags, null, null,
                List.of(deps), List.of(), "duckdb", false, Location.of("models/x.sql", 1));
    }

    /** The expected text is what Python 3.11 prints for json.dumps(graph, indent=2, sort_keys=True). */
    @Test
    void jsonIsWrittenExactlyAsPythonsJsonDumpsWithSortedKeys() {
        String cafe = "\"memory\".\"s\".\"caf\u00e9\"";
        String a = "\"memory\".\"s\".\"a\"";
        ModelGraph graph = ModelGraph.build(List.of(
                model(cafe, "FULL", "@daily", "day", List.of(), "\"memory\".\"raw\".\"x\u007f\u0001\""),
                model(a, "VIEW", "@hourly", "hour", List.of("b", "\u00fc"))), new Problems());
        String expected = """
                {
                  "models": {
                    "\\"memory\\".\\"s\\".\\"a\\"": {
                      "cron": "@hourly",
                      "depends_on": [],
                      "interval_unit": "hour",
                      "kind": "VIEW",
                      "tags": [
                        "b",
                        "\\u00fc"
                      ]
                    },
                    "\\"memory\\".\\"s\\".\\"caf\\u00e9\\"": {
                      "cron": "@daily",
                      "depends_on": [
                        "\\"memory\\".\\"raw\\".\\"x\\u007f\\u0001\\""
                      ],
                      "interval_unit": "day",
                      "kind": "FULL",
                      "tags": []
                    }
                  }
                }
                """;
        assertEquals(expected, GraphFormats.render(graph, List.of(cafe, a), GraphFormats.Format.JSON));
    }

    @Test
    void emptyGraphIsAnEmptyObjectAsPythonWritesIt() {
        assertEquals("{\n  \"models\": {}\n}\n",
                GraphFormats.render(ModelGraph.build(List.of(), new Problems()), List.of(), GraphFormats.Format.JSON));
    }
}
