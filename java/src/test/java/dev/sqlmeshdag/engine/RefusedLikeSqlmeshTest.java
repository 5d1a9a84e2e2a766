package dev.sqlmeshdag.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sqlmeshdag.core.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Projects SQLMesh 0.236.4 refuses (fidelity/bad_inputs.py checks each against SQLMesh itself) are refused at the
 * file and line; the near misses it loads are loaded. Tests that need Python's compile() or SQLMesh's date parser
 * run with $SQLMESH_PYTHON (the Python that has SQLMesh; default the checkout's .venv/bin/python).
 */
class RefusedLikeSqlmeshTest {

    @TempDir
    Path root;

    static final String CONFIG = "gateways:\n  local:\n    connection:\n      type: duckdb\nmodel_defaults:\n"
            + "  dialect: duckdb\n";

    @AfterEach
    void noInterpreter() {
        System.clearProperty(PythonCheck.PROPERTY);
    }

    void write(String relative, byte[] bytes) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
    }

    void write(String relative, String text) throws IOException {
        write(relative, text.getBytes(StandardCharsets.UTF_8));
    }

    String problems() {
        LoadedProject loaded = Engine.load(root, Options.defaults());
        return String.join("\n", loaded.problems().all().stream().map(Problem::toString).toList());
    }

    static void useSqlmeshPython() {
        Path python = Path.of(System.getenv().getOrDefault("SQLMESH_PYTHON", ".venv/bin/python")).toAbsolutePath();
        assumeTrue(Files.isExecutable(python), "no Python with SQLMesh at " + python);
        System.setProperty(PythonCheck.PROPERTY, python.toString());
    }

    @Test
    void dbtCustomKindLoadsFromAPythonModelButNotFromAModelBlock() throws IOException {
        // SQLMesh 0.236.4: a DbtCustomKind object is a DBT_CUSTOM model; `kind DBT_CUSTOM` lacks its required
        // fields, which its MODEL block grammar cannot give (`DBT_CUSTOM (...)` does not parse).
        write("config.yaml", CONFIG);
        write("models/p.py", "from sqlmesh import model\nfrom sqlmesh.core.model.kind import DbtCustomKind\n"
                + "@model(\"s.p\", kind=DbtCustomKind(materialization=\"table\", definition=\"x\"), "
                + "columns={\"x\": \"int\"})\ndef execute(context, **kw):\n    return None\n");
        LoadedProject loaded = Engine.load(root, Options.defaults());
        assertEquals("", problems());
        assertEquals("DBT_CUSTOM", loaded.graph().model("\"memory\".\"s\".\"p\"").kind());
        write("models/a.sql", "MODEL (name s.a, kind DBT_CUSTOM);\nSELECT 1 AS x\n");
        assertEquals("models/a.sql:1:18: kind DBT_CUSTOM needs 'definition', 'materialization', which a MODEL block "
                + "cannot give (SQLMesh refuses the model); define it in a Python model or choose another kind",
                problems());
    }

    @Test
    void aByteOrderMarkBreaksASqlModelButNotAPythonOne() throws IOException {
        write("config.yaml", CONFIG);
        write("models/a.sql", "\uFEFFMODEL (name s.a, kind FULL);\nSELECT 1 AS x\n");
        assertTrue(problems().startsWith("models/a.sql:1:1: the file starts with a UTF-8 byte order mark"), problems());
        Files.delete(root.resolve("models/a.sql"));
        useSqlmeshPython();
        write("models/p.py", "\uFEFFfrom sqlmesh import model\n\n@model('s.p', columns={'x': 'int'})\n"
                + "def execute(context, **kwargs):\n    return None\n");
        assertFalse(problems().contains("byte order mark"), problems());
    }

    @Test
    void aFolderNamedLikeAModelAndADanglingModelLinkAreRefused() throws IOException {
        write("config.yaml", CONFIG);
        write("models/x.sql/inner.sql", "MODEL (name s.inner_model, kind FULL);\nSELECT 1 AS x\n");
        Files.createSymbolicLink(root.resolve("models/gone.sql"), root.resolve("nowhere.sql"));
        String problems = problems();
        assertTrue(problems.contains("models/x.sql:1:1: this folder is named like a model file"), problems);
        assertTrue(problems.contains("models/gone.sql:1:1: this link leads nowhere"), problems);
    }

    @Test
    void eightyNestedLevelsAreRefusedSeventyNineAreNot() throws IOException {
        write("config.yaml", CONFIG);
        write("models/a.sql", "MODEL (name s.a, kind FULL);\nSELECT " + "(".repeat(79) + "1" + ")".repeat(79) + " AS x\n");
        assertEquals("", problems());
        write("models/a.sql", "MODEL (name s.a, kind FULL);\nSELECT " + "(".repeat(80) + "1" + ")".repeat(80) + " AS x\n");
        assertTrue(problems().startsWith("models/a.sql:2:8: brackets are nested 80 deep"), problems());
    }

    @Test
    void jinjaLeftOpenOrOutsideABlockIsRefused() throws IOException {
        write("config.yaml", CONFIG);
        write("models/a.sql", "MODEL (name s.a, kind FULL);\nJINJA_QUERY_BEGIN;\nSELECT 1 AS x\n{% if true %}\n"
                + "JINJA_END;\n");
        assertTrue(problems().startsWith("models/a.sql:4:1: Jinja block '{% if true %}' is never closed"), problems());
        write("models/a.sql", "MODEL (name s.a, kind FULL);\nSELECT 1 AS x {% if true %} {% endif %}\n");
        assertTrue(problems().startsWith("models/a.sql:2:15: Jinja '{%' outside a Jinja block"), problems());
        write("models/a.sql", "MODEL (name s.a, kind FULL);\nSELECT 1 AS x\n");
        write("macros/m.sql", "{% macro a() %}{% raw %}{% if %}{% endraw %}\n");
        assertTrue(problems().startsWith("macros/m.sql:1:1: Jinja block '{% macro a() %}' is never closed"), problems());
    }

    @Test
    void pythonFilesAreCompiledByPython() throws IOException {
        useSqlmeshPython();
        write("config.yaml", CONFIG);
        write("models/a.sql", "MODEL (name s.a, kind FULL);\nSELECT 1 AS x\n");
        write("macros/m.py", "from sqlmesh import macro\n\n@macro()\ndef one(evaluator)\n    return 1\n");
        assertEquals("macros/m.py:4:19: Python cannot compile this file, so SQLMesh cannot import it: SyntaxError: "
                + "expected ':'", problems());
        write("config.yaml", CONFIG + "ignore_patterns:\n  - macros/m.py\n");
        assertEquals("", problems(), "an ignored file is not imported by SQLMesh, so not compiled either");
    }

    @Test
    void startAndEndAreReadWithSqlmeshsOwnParser() throws IOException {
        useSqlmeshPython();
        write("config.yaml", CONFIG);
        write("models/a.sql", "MODEL (name s.a, kind FULL, start '1 week ago');\nSELECT 1 AS x\n");
        assertEquals("", problems());
        write("models/a.sql", "MODEL (name s.a, kind FULL, start 'not a date');\nSELECT 1 AS x\n");
        assertTrue(problems().startsWith("models/a.sql:1:29: invalid start 'not a date': Could not convert"),
                problems());
        write("models/a.sql", "MODEL (name s.a, kind FULL, start '2024-02-01', end '2024-01-01');\nSELECT 1 AS x\n");
        assertTrue(problems().startsWith("models/a.sql:1:29: start '2024-02-01' is later than end '2024-01-01'"),
                problems());
    }

    @Test
    void withoutAnInterpreterTheChecksAreSkippedAndSaidSo() throws IOException {
        System.setProperty(PythonCheck.PROPERTY, root.resolve("no-such-python").toString());
        write("config.yaml", CONFIG);
        write("models/a.sql", "MODEL (name s.a, kind FULL, start 'not a date');\nSELECT 1 AS x\n");
        write("macros/m.py", "def broken(:\n");
        String problems = problems();
        assertTrue(problems.startsWith("macros/m.py:1:1: warning: could not run "), problems);
        assertFalse(problems.contains("invalid start"), problems);
    }
}
