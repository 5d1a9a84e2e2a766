package dev.sqlmeshdag.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import py4j.GatewayServer;

class BridgeTest {

    @TempDir
    Path root;

    static final ObjectMapper JSON = new ObjectMapper();

    void project() throws IOException {
        Files.createDirectories(root.resolve("models"));
        Files.writeString(root.resolve("config.yaml"), "project: demo\ngateways:\n  local:\n    connection:\n"
                + "      type: duckdb\nmodel_defaults:\n  dialect: duckdb\n", StandardCharsets.UTF_8);
        Files.writeString(root.resolve("models/a.sql"), "MODEL (name s.a, tags [t]);\nSELECT 1 AS x\n");
        Files.writeString(root.resolve("models/b.sql"), "MODEL (name s.b);\nSELECT * FROM s.a\n");
    }

    @Test
    void specHonoursOptions() throws IOException {
        project();
        JsonNode spec = JSON.readTree(Bridge.spec(root.toString(),
                "{\"gateway\": null, \"select\": [\"s.a+\"], \"exclude\": [\"tag:t\"]}"));
        assertEquals("demo", spec.get("project").asText());
        assertEquals(1, spec.get("models").size());
        assertEquals("s__b", spec.get("models").get(0).get("task_id").asText());
        assertEquals(0, spec.get("errors").size());
    }

    @Test
    void defaultCatalogOptionReplacesTheConnectionsCatalog() throws IOException {
        project();
        JsonNode derived = JSON.readTree(Bridge.spec(root.toString(), null));
        assertTrue(derived.get("models").get(0).get("fqn").asText().startsWith("\"memory\"."),
                derived.get("models").get(0).toString());
        JsonNode given = JSON.readTree(Bridge.spec(root.toString(), "{\"default_catalog\": \"analytics\"}"));
        assertEquals("\"analytics\".\"s\".\"a\"", given.get("models").get(0).get("fqn").asText());
        assertEquals("[\"\\\"analytics\\\".\\\"s\\\".\\\"a\\\"\"]",
                given.get("models").get(1).get("depends_on").toString());
        assertEquals("analytics", given.get("default_catalog").asText());
    }

    @Test
    void graphAnswersWhatTheCommandLinePrints() throws IOException {
        project();
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = dev.sqlmeshdag.cli.Main.run(new String[] {"graph", root.toString(), "--format", "json"},
                new java.io.PrintWriter(out), new java.io.PrintWriter(err));
        JsonNode answer = JSON.readTree(Bridge.graph(root.toString(), null));
        assertEquals(code, answer.get("exit").asInt());
        assertEquals(out.toString(), answer.get("graph").asText());

        Files.writeString(root.resolve("models/c.sql"), "MODEL (name s.c, kind NOPE);\nSELECT 1 AS x\n");
        JsonNode broken = JSON.readTree(Bridge.graph(root.toString(), null));
        assertEquals(1, broken.get("exit").asInt());
        assertTrue(broken.get("graph").isNull());
        assertTrue(broken.get("problems").get(0).asText().contains("c.sql:1"), broken.toString());
    }

    @Test
    void whatOnlyPythonCanReadIsListedWithFileLineAndModel() throws IOException {
        project();
        Files.createDirectories(root.resolve("macros"));
        Files.writeString(root.resolve("macros/pick.py"), "from sqlmesh import macro\n\n@macro()\n"
                + "def pick(evaluator, t):\n    return t\n");
        Files.writeString(root.resolve("models/c.sql"), "MODEL (name s.c);\nSELECT * FROM @pick(s.b)\n");
        JsonNode spec = JSON.readTree(Bridge.spec(root.toString(), null));
        assertEquals(0, spec.get("errors").size());
        JsonNode unresolved = spec.get("unresolved");
        assertEquals(1, unresolved.size(), unresolved.toString());
        assertEquals("model", unresolved.get(0).get("kind").asText());
        assertEquals("models/c.sql", unresolved.get(0).get("file").asText());
        assertEquals(2, unresolved.get(0).get("line").asInt());
        assertEquals("\"memory\".\"s\".\"c\"", unresolved.get(0).get("model").asText());
        assertTrue(unresolved.get(0).get("reason").asText().contains("@pick is a Python macro"));
    }

    @Test
    void answersReplaceTheConfigAndTheModelsOfTheirFiles() throws IOException {
        project();
        Files.delete(root.resolve("config.yaml"));
        Files.writeString(root.resolve("config.py"), "from sqlmesh.core.config import Config, ModelDefaultsConfig\n"
                + "d = {'dialect': 'duckdb'}\nconfig = Config(model_defaults=ModelDefaultsConfig(**d))\n");
        JsonNode unread = JSON.readTree(Bridge.spec(root.toString(), null));
        assertEquals("config", unread.get("unresolved").get(0).get("kind").asText(), unread.toString());
        assertEquals("config.py", unread.get("unresolved").get(0).get("file").asText());
        assertEquals(3, unread.get("unresolved").get(0).get("line").asInt());
        assertTrue(unread.get("unresolved").get(0).get("model").isNull());
        assertTrue(unread.get("errors").size() > 0 && unread.get("models").isEmpty());

        String answers = "{\"answers\": {\"config\": {\"project\": \"demo\", \"model_defaults\": {\"dialect\": "
                + "\"duckdb\", \"cron\": \"@hourly\"}, \"gateways\": {\"local\": {\"connection\": {\"type\": "
                + "\"duckdb\", \"database\": \"wh.duckdb\"}}}}, \"models\": {\"models/b.sql\": [{\"fqn\": "
                + "\"\\\"wh\\\".\\\"s\\\".\\\"b\\\"\", \"name\": \"s.b\", \"kind\": \"FULL\", \"cron\": "
                + "\"@daily\", \"interval_unit\": \"day\", \"depends_on\": [\"\\\"wh\\\".\\\"raw\\\".\\\"x\\\"\", "
                + "\"\\\"wh\\\".\\\"s\\\".\\\"a\\\"\"]}]}}}";
        JsonNode spec = JSON.readTree(Bridge.spec(root.toString(), answers));
        assertEquals(0, spec.get("errors").size(), spec.get("errors").toString());
        assertEquals(0, spec.get("unresolved").size());
        assertEquals("wh", spec.get("default_catalog").asText());
        JsonNode a = spec.get("models").get(0);
        JsonNode b = spec.get("models").get(1);
        assertEquals("\"wh\".\"s\".\"a\"", a.get("fqn").asText());
        assertEquals("@hourly", a.get("cron").asText(), "the engine reads a.sql itself, under SQLMesh's config");
        assertEquals("\"wh\".\"s\".\"b\"", b.get("fqn").asText());
        assertEquals("FULL", b.get("kind").asText(), "b.sql's model is SQLMesh's");
        assertEquals("[\"\\\"wh\\\".\\\"s\\\".\\\"a\\\"\"]", b.get("depends_on").toString());
        assertEquals("[\"\\\"wh\\\".\\\"raw\\\".\\\"x\\\"\"]", b.get("external").toString());
        assertEquals(1, b.get("line").asInt(), "at the line the engine found it");
        assertTrue(!spec.get("fingerprint").asText().equals(JSON.readTree(Bridge.spec(root.toString(),
                "{\"answers\": {\"config\": {\"model_defaults\": {\"dialect\": \"duckdb\"}}}}"))
                .get("fingerprint").asText()), "the answers are part of what was read");
    }

    @Test
    void projectErrorsComeBackInTheDocument() throws IOException {
        project();
        Files.writeString(root.resolve("models/c.sql"), "MODEL (name s.c, kind NOPE);\nSELECT 1 AS x\n");
        JsonNode spec = JSON.readTree(Bridge.spec(root.toString(), null));
        assertEquals(0, spec.get("models").size());
        JsonNode error = spec.get("errors").get(0);
        assertEquals("models/c.sql", error.get("file").asText());
        assertTrue(error.get("message").asText().contains("unknown model kind"), error.toString());
    }

    @Test
    void theFiltersAreOptionsToo() throws IOException {
        project();
        JsonNode tagged = JSON.readTree(Bridge.spec(root.toString(), "{\"include_tags\": [\"t\"]}"));
        assertEquals(1, tagged.get("models").size());
        assertEquals("s.a", tagged.get("models").get(0).get("name").asText());
        JsonNode patterned = JSON.readTree(Bridge.spec(root.toString(),
                "{\"model_pattern\": \"b$\", \"exclude_tags\": [\"x\"], \"models\": [\"s__b\", \"s.a\"]}"));
        assertEquals("s.b", patterned.get("models").get(0).get("name").asText());
        assertEquals(1, patterned.get("models").size());
        assertEquals(0, patterned.get("models").get(0).get("depends_on").size(), "s.a is left out");
        assertEquals(1, patterned.get("models").get(0).get("parents").size(), "s.b still reads s.a");
        JsonNode bad = JSON.readTree(Bridge.spec(root.toString(), "{\"model_pattern\": 3}"));
        assertEquals("options.model_pattern must be a string or null",
                bad.get("errors").get(0).get("message").asText());
    }

    @Test
    void badOptionsAreAnErrorNotAnException() throws IOException {
        JsonNode spec = JSON.readTree(Bridge.spec(root.toString(), "{\"select\": 5}"));
        assertEquals(dev.sqlmeshdag.spec.SpecBuilder.SPEC_VERSION, spec.get("spec_version").asInt());
        assertEquals("options.select must be a list of strings",
                spec.get("errors").get(0).get("message").asText());
        JsonNode broken = JSON.readTree(Bridge.spec(root.toString(), "{not json"));
        assertTrue(broken.get("errors").get(0).get("message").asText().startsWith("options are not valid JSON"));
    }

    /** The call exactly as the Python side makes it, over a real Py4J gateway and socket. */
    @Test
    void reachableThroughARealPy4jGateway() throws Exception {
        project();
        GatewayServer server = new GatewayServer.GatewayServerBuilder().javaPort(0).build();
        server.start();
        try {
            // A raw Py4J protocol exchange, the bytes a Python client sends, so no Python is needed here.
            int port = server.getListeningPort();
            try (var socket = new java.net.Socket("127.0.0.1", port);
                    var out = new java.io.PrintWriter(new java.io.OutputStreamWriter(socket.getOutputStream(),
                            StandardCharsets.UTF_8), true);
                    var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                            StandardCharsets.UTF_8))) {
                out.print("r\nu\ndev.sqlmeshdag.bridge.Bridge\nrj\ne\n");
                out.flush();
                String classRef = in.readLine();
                assertTrue(classRef.startsWith("!ycdev.sqlmeshdag.bridge.Bridge"), classRef);
                out.print("c\nz:dev.sqlmeshdag.bridge.Bridge\nversion\ne\n");
                out.flush();
                assertEquals("!ys0.1.0", in.readLine());
            }
        } finally {
            server.shutdown();
        }
    }

    @Test
    void optionsParse() {
        assertEquals(List.of("a", "b"), Bridge.options("{\"select\": [\"a\", \"b\"]}").select());
        assertEquals("prod", Bridge.options("{\"gateway\": \"prod\"}").gateway());
        assertEquals(List.of(), Bridge.options("").exclude());
    }
}
