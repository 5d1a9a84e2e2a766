package dev.sqlmeshdag.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path root;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    void write(String relative, String text) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    @BeforeEach
    void project() throws IOException {
        write("config.yaml", "gateways:\n  local:\n    connection:\n      type: duckdb\n"
                + "model_defaults:\n  dialect: duckdb\n");
        write("models/a.sql", "MODEL (name s.a, cron '@hourly');\nSELECT 1 AS x FROM raw.t\n");
        write("models/b.sql", "MODEL (name s.b);\nSELECT * FROM s.a\n");
    }

    @Test
    void helpListsCommandsAndExitCodes() {
        Result r = run("--help");
        assertEquals(0, r.code());
        for (String text : new String[] {"spec", "graph", "validate", "Exit codes:", "1  the project has errors",
                "2  usage error", "3  internal error"}) {
            assertTrue(r.out().contains(text), text + " missing from:\n" + r.out());
        }
        Result sub = run("graph", "--help");
        assertEquals(0, sub.code());
        assertTrue(sub.out().contains("--format") && sub.out().contains("json, dot, mermaid"), sub.out());
    }

    @Test
    void versionEverywhere() {
        assertEquals("sqlmesh-dag 0.1.0", run("--version").out().strip());
        assertEquals("sqlmesh-dag 0.1.0", run("spec", "--version").out().strip());
    }

    @Test
    void usageErrorsExitTwo() {
        Result r = run("graph", root.toString(), "--format", "png");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'png' is not a format; use json, dot or mermaid"), r.err());
        assertEquals(2, run("frobnicate").code());
        assertEquals(2, run("spec").code(), "missing PROJECT");
        assertEquals(2, run().code(), "no command");
    }

    @Test
    void specWritesJsonAtomicallyToAFile() throws IOException {
        Path target = root.resolve("out/spec.json");
        Result r = run("spec", root.toString(), "-o", target.toString(), "--select", "s.b");
        assertEquals(0, r.code(), r.err());
        JsonNode spec = new ObjectMapper().readTree(target.toFile());
        assertEquals("\"memory\".\"s\".\"b\"", spec.get("models").get(0).get("fqn").asText());
        assertEquals(1, spec.get("models").size());
        try (var files = Files.list(target.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void specTakesTheFiltersAndAnUnknownModelIsAProjectError() throws IOException {
        Result r = run("spec", root.toString(), "--model-pattern", "^s\\.a$", "--include-tag", "x");
        assertEquals(0, r.code(), r.err());
        assertEquals(0, new ObjectMapper().readTree(r.out()).get("models").size(), "s.a has no tag x");
        r = run("spec", root.toString(), "--exclude-tag", "x", "--model", "s__b", "--model", "s.a");
        assertEquals(2, new ObjectMapper().readTree(r.out()).get("models").size());
        r = run("spec", root.toString(), "--model", "s.nope");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--model:1:1: no model named s.nope"), r.err());
    }

    @Test
    void graphJsonOnStdout() throws IOException {
        Result r = run("graph", root.toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode g = new ObjectMapper().readTree(r.out());
        assertEquals("hour", g.get("models").get("\"memory\".\"s\".\"a\"").get("interval_unit").asText());
    }

    @Test
    void validatePrintsEveryProblemAndExitsOne() throws IOException {
        write("models/c.sql", "MODEL (name s.c, cron 'every day');\nSELECT 1 AS x\n");
        write("models/d.sql", "MODEL (name s.b);\nSELECT 1 AS x\n");
        Result r = run("validate", root.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("models/c.sql:1:"), r.err());
        assertTrue(r.err().contains("models/d.sql:1:1: duplicate model name"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r.err());
        Result spec = run("spec", root.toString());
        assertEquals(1, spec.code());
        assertEquals("", spec.out(), "no spec for a broken project");
    }

    @Test
    void aConfigErrorIsPrintedOnceByEveryCommand() throws IOException {
        write("config.yaml", "model_defaults: [\n");
        for (String[] args : new String[][] {{"validate", root.toString()},
                {"graph", root.toString(), "--format", "json"}}) {
            Result r = run(args);
            assertEquals(1, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), args[0] + " printed:\n" + r.err());
            assertTrue(r.err().startsWith("config.yaml:2:1: invalid YAML"), r.err());
        }
    }

    @Test
    void aModelLinkThatLeadsNowhereIsAnErrorAndALoopingFolderLinkIsNot() throws IOException {
        // SQLMesh globs models/**/*.sql and fails reading a dangling match; a link without the extension is
        // never globbed, so the looping folder link is harmless to both.
        Files.createSymbolicLink(root.resolve("models/loop"), root.resolve("models/loop"));
        assertEquals(0, run("validate", root.toString()).code());
        Files.createSymbolicLink(root.resolve("models/gone.sql"), root.resolve("models/nowhere.sql"));
        Result r = run("validate", root.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals("models/gone.sql:1:1: this link leads nowhere (its target is missing, or it links back to "
                + "itself); SQLMesh fails to read it, so fix or remove the link (or add it to ignore_patterns)",
                r.err().strip());
    }

    @Test
    void validateCleanProjectExitsZero() {
        Result r = run("validate", root.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
    }

    /** A command that fails the way a bug would. */
    @picocli.CommandLine.Command(name = "boom")
    static final class Boom implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Option(names = "--debug")
        boolean debug;

        @Override
        public Integer call() {
            throw new IllegalStateException("broken invariant\nsecond line");
        }
    }

    @Test
    void internalErrorsAreOneLineUnlessDebugging() {
        StringWriter err = new StringWriter();
        int code = Main.configure(new picocli.CommandLine(new Boom()), new PrintWriter(new StringWriter()),
                new PrintWriter(err)).execute();
        assertEquals(3, code);
        assertEquals("sqlmesh-dag: internal error: IllegalStateException: broken invariant (run again with --debug "
                + "to see the stack trace)", err.toString().strip());
        StringWriter debugErr = new StringWriter();
        Main.configure(new picocli.CommandLine(new Boom()), new PrintWriter(new StringWriter()),
                new PrintWriter(debugErr)).execute("--debug");
        assertTrue(debugErr.toString().contains("\tat "), "stack trace with --debug:\n" + debugErr);
    }

    @Test
    void unknownGatewayIsAProjectError() {
        Result r = run("validate", root.toString(), "--gateway", "nope");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("nope"), r.err());
    }
}
