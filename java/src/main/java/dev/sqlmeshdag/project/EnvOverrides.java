package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code SQLMESH__A__B=value} environment variables, which SQLMesh merges over the config files as
 * {@code a: {b: value}} (keys lower-cased, values as strings).
 */
final class EnvOverrides {

    private static final String PREFIX = "sqlmesh__";
    // Read by SQLMesh's Airflow integration, not a config key.
    private static final String NOT_CONFIG = "sqlmesh__airflow__disable_state_migration";

    private EnvOverrides() {
    }

    /** The overrides as a config tree, or null when none are set. */
    static Node.MapNode read(Map<String, String> environment, Problems problems) {
        Map<String, Node.Entry> root = new LinkedHashMap<>();
        for (Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet()) {
            String key = variable.getKey().toLowerCase();
            if (!key.startsWith(PREFIX) || key.equals(NOT_CONFIG)) {
                continue;
            }
            Location at = new Location("$" + variable.getKey(), 1, 1);
            String[] segments = key.substring(PREFIX.length()).split("__", -1);
            if (segments[segments.length - 1].isEmpty()) {
                problems.error(at, "invalid SQLMesh configuration variable '" + variable.getKey()
                        + "'; name a key after SQLMESH__, e.g. SQLMESH__DEFAULT_GATEWAY");
                continue;
            }
            Map<String, Node.Entry> target = root;
            for (int i = 0; i < segments.length - 1; i++) {
                Node.Entry entry = target.get(segments[i]);
                if (!(entry != null && entry.value() instanceof Node.MapNode)) {
                    entry = new Node.Entry(segments[i], at, new Node.MapNode(new LinkedHashMap<>(), at));
                    target.put(segments[i], entry);
                }
                target = ((Node.MapNode) entry.value()).entries();
            }
            String last = segments[segments.length - 1];
            target.put(last, new Node.Entry(last, at, new Node.Scalar(variable.getValue(), at)));
        }
        return root.isEmpty() ? null : new Node.MapNode(root, new Location("$SQLMESH__", 1, 1));
    }
}
