package dev.sqlmeshdag.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What only Python can decide, asked of a Python interpreter instead of re-implemented: whether each project
 * Python file SQLMesh imports (Python models, macros, {@code config.py}) compiles, with Python's own
 * {@code compile()}; and which moment a {@code start}/{@code end} value that is not a plain ISO date means, with
 * SQLMesh's own {@code to_datetime} (dateparser reads "1 week ago", "Jan 5 2024", and also "2024-13-01").
 *
 * <p>One short child process per project read, only when there is something to ask. The interpreter is the system
 * property {@code sqlmeshdag.python} (the Python package passes its own), else {@code $SQLMESH_DAG_PYTHON}, else
 * {@code python3} on the PATH. Without one, the files stay unchecked and a warning says so.
 */
final class PythonCheck {

    static final String PROPERTY = "sqlmeshdag.python";
    static final String ENV_VAR = "SQLMESH_DAG_PYTHON";
    private static final long TIMEOUT_SECONDS = 120;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A start/end value to convert; {@code at} is where a user fixes it. */
    record DateValue(String value, String field, Location at) {
    }

    /** SQLMesh's reading of a date value: epoch milliseconds, or null with SQLMesh's error. */
    record DateResult(Long millis, String error) {
    }

    // Not isolated (-I): PYTHONPATH and the user site are where Airflow images often install SQLMesh and the
    // packages models import; the working folder is taken off sys.path, the project folder put on. compile()
    // decodes as import does (PEP 263 coding lines, a UTF-8 BOM) and needs no import; SQLMesh is imported only
    // for dates. Errors are returned as JSON, never raised: the engine turns them into problems.
    private static final String SCRIPT = String.join("\n",
            "import ast, importlib.util, json, os, sys",
            "req = json.load(sys.stdin)",
            "out = {'files': {}, 'missing': {}, 'dates': {}, 'dates_unchecked': None}",
            "if sys.path and sys.path[0] == '':",
            "    sys.path.pop(0)",
            "sys.path.insert(0, req['root'])  # SQLMesh imports project files as modules of the project folder",
            "# Missing imports mean something only in the environment SQLMesh runs in.",
            "sqlmesh_here = importlib.util.find_spec('sqlmesh') is not None",
            "def missing(tree):",
            "    # Unconditional top-level imports only: one inside try/if may be an intended fallback.",
            "    for node in tree.body if sqlmesh_here else []:",
            "        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module] \\",
            "            if isinstance(node, ast.ImportFrom) and node.module and not node.level else []",
            "        for name in names:",
            "            top = name.split('.')[0]",
            "            try:",
            "                found = importlib.util.find_spec(top) is not None",
            "            except (ImportError, ValueError):",
            "                found = False",
            "            if not found:",
            "                return [node.lineno, node.col_offset + 1, top]",
            "    return None",
            "for rel in req['files']:",
            "    try:",
            "        with open(os.path.join(req['root'], rel), 'rb') as f:",
            "            source = f.read()",
            "    except OSError:",
            "        continue",
            "    try:",
            "        tree = compile(source, rel, 'exec', ast.PyCF_ONLY_AST, dont_inherit=True)",
            "        compile(tree, rel, 'exec', dont_inherit=True)",
            "        gone = missing(tree)",
            "        if gone:",
            "            out['missing'][rel] = gone",
            "    except SyntaxError as e:",
            "        out['files'][rel] = [e.lineno or 1, e.offset or 1, type(e).__name__ + ': ' + str(e.msg)]",
            "    except (ValueError, UnicodeError) as e:",
            "        out['files'][rel] = [1, 1, type(e).__name__ + ': ' + str(e)]",
            "if req['dates']:",
            "    try:",
            "        from sqlmesh.utils.date import to_datetime",
            "    except Exception as e:",
            "        out['dates_unchecked'] = type(e).__name__ + ': ' + str(e)",
            "    else:",
            "        for value in req['dates']:",
            "            try:",
            "                out['dates'][value] = [int(to_datetime(value).timestamp() * 1000), None]",
            "            except Exception as e:",
            "                out['dates'][value] = [None, str(e)]",
            "json.dump(out, sys.stdout)",
            "");

    private PythonCheck() {
    }

    /**
     * Compiles {@code files} (relative to {@code root}) and converts {@code dates}; syntax errors become problems.
     * Returns SQLMesh's reading of each date value (absent when it could not be asked).
     */
    static Map<String, DateResult> run(Path root, List<String> files, List<DateValue> dates, Problems problems) {
        if (files.isEmpty() && dates.isEmpty()) {
            return Map.of();
        }
        String python = interpreter();
        Location first = files.isEmpty() ? dates.get(0).at() : Location.of(files.get(0), 1);
        if (python == null) {
            problems.warning(first, "no Python interpreter found, so " + what(files, dates) + " not checked the way "
                    + "SQLMesh reads them; set " + ENV_VAR + " to the Python that runs SQLMesh");
            return Map.of();
        }
        ObjectNode request = JSON.createObjectNode();
        request.put("root", root.toString());
        ArrayNode fileList = request.putArray("files");
        files.forEach(fileList::add);
        ArrayNode dateList = request.putArray("dates");
        dates.stream().map(DateValue::value).distinct().forEach(dateList::add);
        JsonNode answer;
        try {
            answer = ask(python, request);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            problems.warning(first, "could not run " + python + " (" + e.getMessage() + "), so " + what(files, dates)
                    + " not checked the way SQLMesh reads them; set " + ENV_VAR + " to the Python that runs SQLMesh");
            return Map.of();
        }
        answer.path("files").fields().forEachRemaining(entry -> {
            JsonNode where = entry.getValue();
            problems.error(new Location(entry.getKey(), Math.max(1, where.get(0).asInt()), Math.max(1,
                    where.get(1).asInt())), "Python cannot compile this file, so SQLMesh cannot import it: "
                    + where.get(2).asText());
        });
        answer.path("missing").fields().forEachRemaining(entry -> {
            JsonNode where = entry.getValue();
            // A warning, not an error: the machine that reads the project may lack a package the workers have.
            problems.warning(new Location(entry.getKey(), where.get(0).asInt(), where.get(1).asInt()), "imports '"
                    + where.get(2).asText() + "', which " + python + " cannot find; SQLMesh fails to load the project"
                    + " wherever it is not installed (No module named '" + where.get(2).asText() + "')");
        });
        Map<String, DateResult> results = new HashMap<>();
        answer.path("dates").fields().forEachRemaining(entry -> results.put(entry.getKey(), new DateResult(
                entry.getValue().get(0).isNull() ? null : entry.getValue().get(0).asLong(),
                entry.getValue().get(1).isNull() ? null : entry.getValue().get(1).asText())));
        if (!dates.isEmpty() && answer.hasNonNull("dates_unchecked")) {
            problems.warning(dates.get(0).at(), "SQLMesh cannot be imported by " + python + " ("
                    + answer.get("dates_unchecked").asText() + "), so start/end values that are not ISO dates (such"
                    + " as '" + dates.get(0).value() + "') are not checked; SQLMesh refuses a value it cannot read");
        }
        return results;
    }

    private static String what(List<String> files, List<DateValue> dates) {
        String python = files.isEmpty() ? "" : "the project's " + files.size() + " Python file(s)";
        String values = dates.isEmpty() ? "" : "start/end values that are not ISO dates";
        return (python.isEmpty() ? values : values.isEmpty() ? python : python + " and " + values) + " were";
    }

    private static JsonNode ask(String python, ObjectNode request) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(python, "-c", SCRIPT)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(JSON.writeValueAsBytes(request));
        }
        // Read while waiting: a hung interpreter must not hang the engine.
        CompletableFuture<byte[]> reading = CompletableFuture.supplyAsync(() -> {
            try {
                return process.getInputStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("no answer within " + TIMEOUT_SECONDS + " s");
        }
        byte[] out = reading.join();
        if (process.exitValue() != 0) {
            throw new IOException("exit " + process.exitValue());
        }
        return JSON.readTree(new String(out, StandardCharsets.UTF_8));
    }

    static String interpreter() {
        String configured = System.getProperty(PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(ENV_VAR);
        }
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "python3");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
