package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.render.JinjaRenderer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Jinja environment SQLMesh renders config.yaml / sqlmesh.yaml with before parsing the YAML
 * ({@code sqlmesh.utils.yaml.load}): Jinja's default environment plus {@code env_var(key, default=None)}
 * ({@code os.getenv}), {@code user()} and {@code var(name, default)}. The template itself ({@code if}, {@code for},
 * {@code set}, filters) is rendered by the same engine as model queries, strictly: what it cannot evaluate is an
 * error at its line, never a guess.
 */
final class Templates implements JinjaRenderer.Globals {

    /** Globals of Jinja's default environment that print or call to something the engine cannot reproduce. */
    private static final Set<String> JINJA_DEFAULT_GLOBALS = Set.of("range", "dict", "namespace", "lipsum", "cycler",
            "joiner", "env_var", "user", "var");

    private final Map<String, String> env;
    private final Problems problems;
    /** Where env_var() was called for an unset variable without a default, and its name. */
    private final Map<Location, String> unsetWithoutDefault = new HashMap<>();

    private Templates(Map<String, String> env, Problems problems) {
        this.env = env;
        this.problems = problems;
    }

    /** The text with every expression and statement evaluated; what cannot be is recorded as an error. */
    static String render(String text, Map<String, String> env, String file, Problems problems) {
        return JinjaRenderer.strict(new Templates(env, problems)).render(text, new Location(file, 1, 1), problems);
    }

    @Override
    public Object name(String name) {
        return JINJA_DEFAULT_GLOBALS.contains(name) ? JinjaRenderer.unknown() : JinjaRenderer.UNDEFINED;
    }

    @Override
    public Object call(String function, List<Object> args, Location at) {
        switch (function) {
            case "env_var" -> {
                if (args.isEmpty() || args.size() > 2 || !(args.get(0) instanceof String name)) {
                    return JinjaRenderer.unknown();
                }
                String value = env.get(name);
                if (value != null) {
                    return value;
                }
                if (args.size() == 1) {
                    unsetWithoutDefault.putIfAbsent(at, name);
                }
                return args.size() == 2 ? args.get(1) : null;
            }
            case "var" -> {
                // Config files are rendered without variables, so var() always yields its default.
                if (args.isEmpty() || args.size() > 2) {
                    return JinjaRenderer.unknown();
                }
                return args.size() == 2 ? args.get(1) : null;
            }
            case "user" -> {
                if (!args.isEmpty()) {
                    return JinjaRenderer.unknown();
                }
                return env.getOrDefault("LOGNAME", env.getOrDefault("USER",
                        env.getOrDefault("LNAME", env.getOrDefault("USERNAME", System.getProperty("user.name")))));
            }
            default -> {
                return JinjaRenderer.unknown();
            }
        }
    }

    /**
     * os.getenv gives None, which Jinja prints as "None" and YAML then reads as that string: worth a warning when
     * printed, not when merely tested ({@code {% if env_var('X') %}}).
     */
    @Override
    public void printsNone(Location at) {
        String name = unsetWithoutDefault.get(at);
        if (name != null) {
            problems.warning(at, "environment variable '" + name + "' is not set and has no default, so SQLMesh"
                    + " reads the text 'None' here; set it or write env_var('" + name + "', 'default')");
        }
    }

    @Override
    public String hint() {
        return "; config files may use env_var('NAME', 'default'), var('name', default), user(), range(), literals,"
                + " {% if %}, {% for %}, {% set %} and the filters int, default, lower, upper, string, trim,"
                + " replace, b64decode";
    }
}
