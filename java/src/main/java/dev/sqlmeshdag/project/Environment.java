package dev.sqlmeshdag.project;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The process environment a config is read in: environment variables (for {@code env_var()} and
 * {@code SQLMESH__} overrides) and the personal config folder ({@code $SQLMESH_HOME}, else {@code ~/.sqlmesh}).
 * Kept as a value so tests can pin it instead of depending on the machine they run on.
 */
record Environment(Map<String, String> variables, Path sqlmeshHome) {

    private static final Pattern LINE = Pattern.compile(
            "^\\s*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_.]*)\\s*=\\s*(.*)$");
    private static final Pattern EXPAND = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    Environment {
        variables = Map.copyOf(variables);
    }

    static Environment system() {
        Map<String, String> vars = System.getenv();
        String home = vars.get("SQLMESH_HOME");
        Path sqlmeshHome = home != null && !home.isEmpty() ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".sqlmesh");
        return new Environment(vars, sqlmeshHome);
    }

    Environment with(Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(variables);
        merged.putAll(overrides);
        return new Environment(merged, sqlmeshHome);
    }

    /**
     * The project's {@code .env} laid over the environment, as SQLMesh does before reading the config
     * (its values win over variables already set).
     */
    Environment withDotenv(Path root) {
        Path file = root.resolve(".env");
        if (!Files.isRegularFile(file)) {
            return this;
        }
        try {
            Map<String, String> overrides = new HashMap<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                Matcher m = LINE.matcher(line);
                if (!line.strip().startsWith("#") && m.matches()) {
                    overrides.put(m.group(1), value(m.group(2), overrides));
                }
            }
            return with(overrides);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String value(String raw, Map<String, String> earlier) {
        String v = raw.strip();
        if (v.length() >= 2 && v.startsWith("'") && v.indexOf('\'', 1) > 0) {
            return v.substring(1, v.indexOf('\'', 1));
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.indexOf('"', 1) > 0) {
            String inner = v.substring(1, v.lastIndexOf('"'));
            return expand(inner.replace("\\n", "\n").replace("\\t", "\t").replace("\\\"", "\""), earlier);
        }
        int comment = v.indexOf(" #");
        return expand((comment >= 0 ? v.substring(0, comment) : v).strip(), earlier);
    }

    private String expand(String v, Map<String, String> earlier) {
        Matcher m = EXPAND.matcher(v);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String found = variables.containsKey(name) ? variables.get(name) : earlier.get(name);
            m.appendReplacement(out, Matcher.quoteReplacement(
                    found != null ? found : m.group(2) != null ? m.group(2) : ""));
        }
        m.appendTail(out);
        return out.toString();
    }
}
