package dev.sqlmeshdag.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole projects on disk, read with the real loader, parsers, renderer and lineage. */
class EngineTest {

    @TempDir
    Path root;

    static final String CONFIG = """
            gateways:
              local:
                connection:
                  type: duckdb
            default_gateway: local
            model_defaults:
              dialect: duckdb
              cron: '@hourly'
              owner: data-team
              start: '2024-02-01'
            """;

    void write(String relative, String text) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    LoadedProject load(Options options) {
        return Engine.load(root, options);
    }

    LoadedProject load() {
        return load(Options.defaults());
    }

    static String messages(LoadedProject p) {
        return String.join("\n", p.problems().all().stream().map(Problem::toString).toList());
    }

    @Test
    void modelDefaultsApplyAndModelPropertiesWin() throws IOException {
        write("config.yaml", CONFIG);
        write("models/a.sql", "MODEL (name sushi.a, kind FULL);\nSELECT 1 AS x FROM raw.events\n");
        write("models/b.sql", "MODEL (name sushi.b, cron '@daily', owner 'bob', tags [x, y]);\n"
                + "SELECT * FROM sushi.a JOIN sushi.b_old ON TRUE\n");
        LoadedProject p = load();
        assertFalse(p.hasErrors(), messages(p));
        Model a = p.graph().model("\"memory\".\"sushi\".\"a\"");
        assertEquals("@hourly", a.cron());
        assertEquals("hour", a.intervalUnit());
        assertEquals("data-team", a.owner());
        assertEquals("2024-02-01", a.start());
        assertEquals("FULL", a.kind());
        assertEquals(List.of("\"memory\".\"raw\".\"events\""), a.dependsOn());
        Model b = p.graph().model("\"memory\".\"sushi\".\"b\"");
        assertEquals("@daily", b.cron());
        assertEquals("bob", b.owner());
        assertEquals("VIEW", b.kind(), "SQLMesh's default kind");
        assertEquals(List.of("x", "y"), b.tags());
        assertEquals(List.of("\"memory\".\"sushi\".\"a\"", "\"memory\".\"sushi\".\"b_old\""), b.dependsOn());
        assertEquals("@hourly", p.schedule().cron());
    }

    @Test
    void disabledModelsVanishSelfReferencesAndDependsOnAreMerged() throws IOException {
        write("config.yaml", CONFIG);
        write("models/off.sql", "MODEL (name sushi.off, enabled false);\nSELECT 1 AS x\n");
        write("models/inc.sql", "MODEL (name sushi.inc, depends_on [sushi.extra]);\n"
                + "SELECT * FROM sushi.inc UNION ALL SELECT * FROM raw.src\n");
        LoadedProject p = load();
        assertFalse(p.hasErrors(), messages(p));
        assertEquals(List.of("\"memory\".\"sushi\".\"inc\""), p.selected());
        assertEquals(List.of("\"memory\".\"raw\".\"src\"", "\"memory\".\"sushi\".\"extra\""),
                p.graph().model("\"memory\".\"sushi\".\"inc\"").dependsOn());
    }

    @Test
    void duplicateNamesAreAnErrorNamingBothFiles() throws IOException {
        write("config.yaml", CONFIG);
        write("models/one.sql", "MODEL (name sushi.same);\nSELECT 1 AS x\n");
        write("models/two.sql", "\n\nMODEL (name SUSHI.same);\nSELECT 2 AS x\n");
        LoadedProject p = load();
        assertTrue(p.hasErrors());
        Problem error = p.problems().errors().get(0);
        assertEquals("models/two.sql", error.location().file());
        assertEquals(3, error.location().line());
        assertTrue(error.message().contains("models/one.sql") && error.message().contains("models/two.sql"),
                error.message());
    }

    @Test
    void cycleAcrossFilesNamesEveryFile() throws IOException {
        write("config.yaml", CONFIG);
        write("models/a.sql", "MODEL (name s.a);\nSELECT * FROM s.b\n");
        write("models/b.sql", "MODEL (name s.b);\nSELECT * FROM s.a\n");
        LoadedProject p = load();
        assertTrue(p.hasErrors());
        String msg = p.problems().errors().get(0).message();
        assertTrue(msg.contains("s.a (models/a.sql)") && msg.contains("s.b (models/b.sql)"), msg);
        assertEquals(List.of(), p.selected());
    }

    @Test
    void binaryFileIsAnErrorAtLineOneAndNonUtf8AtTheBadByte() throws IOException {
        write("config.yaml", CONFIG);
        Files.createDirectories(root.resolve("models"));
        Files.write(root.resolve("models/latin1.sql"),
                "MODEL (name s.l);\nSELECT 'caf\u00e9' AS x\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(root.resolve("models/blob.sql"), new byte[] {'M', 0, 1, 2});
        LoadedProject p = load();
        assertEquals(List.of(
                "models/blob.sql:1:1: this is a binary file, not a model; move it out of models/ or add it to "
                        + "ignore_patterns",
                "models/latin1.sql:2:12: this file is not valid UTF-8 text (the byte here cannot be decoded); save "
                        + "the file as UTF-8"),
                p.problems().errors().stream().map(Problem::toString).toList());
    }

    @Test
    void namesAreInferredFromThePathWhenAsked() throws IOException {
        write("config.yaml", CONFIG + "model_naming:\n  infer_names: true\n");
        write("models/sales/orders.sql", "SELECT 1 AS x\n");
        write("models/cat/db/tbl.sql", "MODEL (kind FULL);\nSELECT 1 AS x\n");
        LoadedProject p = load();
        assertFalse(p.hasErrors(), messages(p));
        assertEquals(List.of("\"cat\".\"db\".\"tbl\"", "\"memory\".\"sales\".\"orders\""),
                p.graph().models().keySet().stream().sorted().toList());
    }

    @Test
    void badCronIsReportedAtItsProperty() throws IOException {
        write("config.yaml", CONFIG);
        write("models/a.sql", "MODEL (\n  name s.a,\n  cron '*/2 * * * *'\n);\nSELECT 1 AS x\n");
        LoadedProject p = load();
        Problem error = p.problems().errors().get(0);
        assertEquals("models/a.sql", error.location().file());
        assertEquals(3, error.location().line());
        assertTrue(error.message().contains("5 minutes"), error.message());
    }

    @Test
    void selectionAndExclusionWithUnmatchedSelectorWarning() throws IOException {
        write("config.yaml", CONFIG);
        write("models/a.sql", "MODEL (name s.a, tags [keep]);\nSELECT 1 AS x\n");
        write("models/b.sql", "MODEL (name s.b);\nSELECT * FROM s.a\n");
        write("models/c.sql", "MODEL (name s.c);\nSELECT * FROM s.b\n");
        LoadedProject p = load(new Options(null, List.of("tag:keep+", "s.nothing"), List.of("s.c"), null));
        assertEquals(List.of("\"memory\".\"s\".\"a\"", "\"memory\".\"s\".\"b\""), p.selected());
        assertFalse(p.hasErrors());
        assertTrue(p.problems().warnings().get(0).message().contains("'s.nothing' matches no model"));
        LoadedProject bad = load(new Options(null, List.of("(s.a"), List.of(), null));
        assertTrue(bad.problems().errors().get(0).message().contains("missing ')'"));
    }

    static final String A = "\"memory\".\"s\".\"a\"";
    static final String B = "\"memory\".\"s\".\"b\"";
    static final String C = "\"memory\".\"s\".\"c\"";

    /** s.a -> s.b -> s.c, s.b tagged "wip". */
    void chainWithTags() throws IOException {
        write("config.yaml", CONFIG);
        write("models/a.sql", "MODEL (name s.a, tags [core]);\nSELECT 1 AS x\n");
        write("models/b.sql", "MODEL (name s.b, tags [wip, Core]);\nSELECT * FROM s.a\n");
        write("models/c.sql", "MODEL (name s.c, tags [core]);\nSELECT * FROM s.b\n");
    }

    LoadedProject filtered(String pattern, List<String> include, List<String> exclude, List<String> models) {
        return load(new Options(null, List.of(), List.of(), null, null, null,
                new ModelFilters(pattern, include, exclude, models)));
    }

    @Test
    void filtersNarrowTheSelectionAndTaskIdsStay() throws IOException {
        chainWithTags();
        assertEquals(List.of(A, C), filtered(null, List.of(), List.of("wip"), null).selected());
        // tags match exactly, as the Python options always did: "core" is not "Core"
        assertEquals(List.of(A, C), filtered(null, List.of("core"), List.of(), null).selected());
        assertEquals(List.of(B), filtered(null, List.of("Core"), List.of(), null).selected());
        // model_pattern is re.search on the model name
        assertEquals(List.of(B), filtered("b$", List.of(), List.of(), null).selected());
        assertEquals(List.of(A, C), filtered("(?i)^S\\.[AC]", List.of(), List.of(), null).selected());
        // named by name, fqn or task id; the task ids are those of the whole selection
        LoadedProject named = filtered(null, List.of(), List.of(), List.of("s.a", C, "s__b"));
        assertEquals(List.of(A, B, C), named.selected());
        assertEquals(load().taskIds(), named.taskIds());
        assertEquals(List.of(C), filtered(null, List.of("core"), List.of(), List.of("s.b", "s.c")).selected(),
                "a named model the tags leave out is no error");
    }

    @Test
    void filtersThatCannotApplyAreErrorsAtTheirOption() throws IOException {
        chainWithTags();
        LoadedProject missing = filtered(null, List.of(), List.of(), List.of("s.nope", "s.a", "s.zzz"));
        assertEquals("--model:1:1: no model named s.nope, s.zzz", messages(missing));
        LoadedProject backReference = filtered("(a)\\1", List.of(), List.of(), null);
        assertTrue(messages(backReference).startsWith("--model-pattern:1:1: model_pattern '(a)\\1': the "
                + "back-reference"), messages(backReference));
        assertEquals(List.of(), backReference.selected());
    }

    @Test
    void fingerprintFollowsTheFilters() throws IOException {
        chainWithTags();
        String none = load().fingerprint();
        assertEquals(none, filtered(null, List.of(), List.of(), null).fingerprint());
        assertNotEquals(none, filtered("a", List.of(), List.of(), null).fingerprint());
        assertNotEquals(none, filtered(null, List.of("core"), List.of(), null).fingerprint());
        assertNotEquals(filtered(null, List.of("core"), List.of(), null).fingerprint(),
                filtered(null, List.of(), List.of("core"), null).fingerprint());
        assertNotEquals(none, filtered(null, List.of(), List.of(), List.of("s.a")).fingerprint());
    }

    @Test
    void fingerprintFollowsFilesAndOptions() throws IOException {
        write("config.yaml", CONFIG);
        write("models/a.sql", "MODEL (name s.a);\nSELECT 1 AS x\n");
        String first = load().fingerprint();
        assertEquals(first, load().fingerprint());
        assertNotEquals(first, load(new Options(null, List.of("s.a"), List.of(), null)).fingerprint());
        write("models/a.sql", "MODEL (name s.a);\nSELECT 2 AS x\n");
        String second = load().fingerprint();
        assertNotEquals(first, second);
        write("config.yaml", CONFIG + "\n");
        assertNotEquals(second, load().fingerprint());
        assertEquals(64, second.length());
    }

    @Test
    void missingFolderIsAProjectError() {
        LoadedProject p = Engine.load(root.resolve("nope"), Options.defaults());
        assertTrue(p.hasErrors());
        assertTrue(p.problems().errors().get(0).message().contains("no project folder"));
    }
}
