package dev.sqlmeshdag.core;

/**
 * A value the engine cannot settle without running Python: a {@code config.py} expression ({@link Kind#CONFIG}), or
 * something a model's graph entry depends on, such as a Python macro, an is_sql Python model's query or a Jinja
 * expression ({@link Kind#MODEL}). The spec lists them, so that the Python side can ask SQLMesh for exactly these.
 *
 * @param problem the warning (model) or error (config) the user sees, with its file and line
 */
public record Unresolved(Kind kind, Problem problem) {

    public enum Kind {
        CONFIG, MODEL;

        /** As the spec writes it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
