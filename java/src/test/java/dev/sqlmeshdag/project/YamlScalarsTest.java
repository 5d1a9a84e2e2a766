package dev.sqlmeshdag.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Plain YAML scalars are typed as SQLMesh's YAML loader (ruamel.yaml's safe loader, YAML 1.2 with its own additions:
 * {@code 0b} and {@code 0o} integers, {@code _} in numbers) types them; needs $SQLMESH_PYTHON.
 */
class YamlScalarsTest {

    /** Each is read by SQLMesh as the value of {@code k: <scalar>}. */
    static final List<String> SCALARS = List.of("yes", "no", "on", "off", "y", "n", "true", "True", "TRUE", "tRue",
            "false", "FALSE", "0o17", "017", "010", "0x1F", "0b101", "0b1_01", "1_000", "1__0", "1,000", "+12", "-0",
            "1e3", "1.5e3", "1E3", "1.", ".5", "-.5", "1.5_0", "0.1", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "~",
            "null", "Null", "NULL", "nULL", "1:30", "12:30:00", "0o8", "0x", "0b", "0b2", "-0b101", "+0b1",
            "-0x1F", "-0o17", "0_17", "0b_1", "0x_1", "0o_7", "_0b1", "_1", "abc", "daily@9");

    private static final String SCRIPT = String.join("\n",
            "import json, math, sys",
            "from sqlmesh.utils.yaml import YAML",
            "out = []",
            "for text in json.load(sys.stdin):",
            "    v = YAML().load('k: ' + text + '\\n')['k']",
            "    kind = type(v).__name__",
            "    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):",
            "        v = repr(v)",
            "    out.append([kind, v])",
            "print(json.dumps(out))", "");

    @Test
    void plainScalarsAreTypedAsSqlmeshTypesThem() throws Exception {
        Path python = Path.of(System.getenv().getOrDefault("SQLMESH_PYTHON", ".venv/bin/python"));
        assumeTrue(Files.isExecutable(python), "no Python with SQLMesh at " + python);
        ObjectMapper json = new ObjectMapper();
        Process p = new ProcessBuilder(python.toString(), "-c", SCRIPT).start();
        p.getOutputStream().write(json.writeValueAsBytes(SCALARS));
        p.getOutputStream().close();
        JsonNode sqlmesh = json.readTree(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(true, p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < SCALARS.size(); i++) {
            expected.add(SCALARS.get(i) + " -> " + sqlmesh.get(i).get(0).asText() + " " + sqlmesh.get(i).get(1));
            actual.add(SCALARS.get(i) + " -> " + python(YamlReader.typed(SCALARS.get(i))));
        }
        assertEquals(expected, actual);
    }

    /** The value as the script above prints it: Python's type name and the JSON value. */
    static String python(Object value) {
        if (value == null) {
            return "NoneType null";
        }
        if (value instanceof Boolean b) {
            return "bool " + b;
        }
        if (value instanceof Long l) {
            return "int " + l;
        }
        if (value instanceof Double d) {
            if (d.isNaN()) {
                return "float \"nan\"";
            }
            return d.isInfinite() ? (d > 0 ? "float \"inf\"" : "float \"-inf\"") : "float " + d;
        }
        return "str \"" + value + "\"";
    }
}
