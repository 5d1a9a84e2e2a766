package dev.sqlmeshdag.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The pinned SQLMesh and sqlglot, in their own Python, as the oracle of differential tests. */
public final class PythonOracle {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PythonOracle() {
    }

    /**
     * Runs the test resource {@code script} (beside {@code owner}) with {@code input} as JSON on its standard input
     * and returns its standard output as JSON. Skips the test when there is no Python with SQLMesh
     * ({@code SQLMESH_PYTHON}, default the checkout's {@code .venv/bin/python}).
     */
    public static JsonNode run(Class<?> owner, String script, Object input) throws Exception {
        Path python = Path.of(System.getenv().getOrDefault("SQLMESH_PYTHON", ".venv/bin/python"));
        assumeTrue(Files.isExecutable(python), "no Python with SQLMesh at " + python);
        Path file = Files.createTempFile(script.replace(".py", ""), ".py");
        try {
            try (InputStream in = owner.getResourceAsStream(script)) {
                Files.write(file, in.readAllBytes());
            }
            Process p = new ProcessBuilder(python.toString(), file.toString()).start();
            p.getOutputStream().write(JSON.writeValueAsBytes(input));
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), err);
            return JSON.readTree(out);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
