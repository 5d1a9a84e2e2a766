package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.Problems;
import java.util.List;
import java.util.Set;

/**
 * The keys SQLMesh 0.236 accepts. Its config classes forbid unknown fields, so a misspelt key is an error
 * there; reporting it here, with the line, saves a failed Airflow task later.
 */
final class ConfigSchema {

    static final Set<String> ROOT_KEYS = Set.of("after_all", "before_all", "cache_dir", "cicd_bot", "dbt",
            "default_connection", "default_gateway", "default_scheduler", "default_target_environment",
            "default_test_connection", "disable_anonymized_analytics", "env_vars", "environment_catalog_mapping",
            "environment_suffix_target", "environment_ttl", "format", "gateway_managed_virtual_layer", "gateways",
            "ignore_patterns", "infer_python_dependencies", "janitor", "linter", "loader", "loader_kwargs",
            "log_limit", "migration", "model_defaults", "model_naming", "notification_targets",
            "physical_schema_mapping", "physical_table_naming_convention", "pinned_environments", "plan", "project",
            "run", "snapshot_ttl", "time_column_format", "ui", "username", "users", "variables",
            "virtual_environment_mode",
            // accepted and rewritten by SQLMesh before validation
            "gateway", "physical_schema_override");

    static final Set<String> GATEWAY_KEYS = Set.of("connection", "model_defaults", "scheduler", "state_connection",
            "state_schema", "test_connection", "variables");

    static final Set<String> MODEL_DEFAULT_KEYS = Set.of("allow_partials", "audits", "batch_concurrency", "cron",
            "cron_tz", "dialect", "enabled", "formatting", "gateway", "interval_unit", "kind", "on_additive_change",
            "on_destructive_change", "on_virtual_update", "optimize_query", "owner", "physical_properties",
            "post_statements", "pre_statements", "session_properties", "start", "storage_format", "table_format",
            "virtual_properties");

    private static final List<String> MOVED_TO_PLAN = List.of("auto_categorize_changes", "include_unmodified");

    private ConfigSchema() {
    }

    static void checkRoot(Node.MapNode root, Problems problems) {
        for (Node.Entry entry : root.entries().values()) {
            if (MOVED_TO_PLAN.contains(entry.key())) {
                problems.error(entry.keyLocation(), "`" + entry.key() + "` is no longer a top-level key;"
                        + " SQLMesh reads it from `plan." + entry.key() + "`, move it there");
            } else if (!ROOT_KEYS.contains(entry.key())) {
                problems.error(entry.keyLocation(), "unknown config key '" + entry.key() + "'; SQLMesh rejects"
                        + " unknown keys (known keys include gateways, default_gateway, model_defaults, variables,"
                        + " model_naming, ignore_patterns, project), fix or remove it");
            }
        }
        if (root.get("model_defaults") instanceof Node.MapNode defaults) {
            checkModelDefaults(defaults, problems);
        } else if (root.get("model_defaults") != null && !(root.get("model_defaults") instanceof Node.Opaque)) {
            problems.error(root.get("model_defaults").location(), "`model_defaults` must be a mapping such as"
                    + " `model_defaults: {dialect: duckdb}`, found " + describe(root.get("model_defaults")));
        }
        if (root.get("model_naming") instanceof Node.MapNode naming) {
            naming.entries().values().stream().filter(e -> !e.key().equals("infer_names"))
                    .forEach(e -> problems.error(e.keyLocation(), "unknown key '" + e.key()
                            + "' in model_naming; the only key is infer_names"));
        }
    }

    static void checkModelDefaults(Node.MapNode defaults, Problems problems) {
        for (Node.Entry entry : defaults.entries().values()) {
            if (!MODEL_DEFAULT_KEYS.contains(entry.key())) {
                problems.error(entry.keyLocation(), "'" + entry.key() + "' is not a valid model_defaults key;"
                        + " remove it (valid keys include dialect, kind, cron, owner, start, audits)");
            }
        }
    }

    static void checkGateway(String name, Node.MapNode gateway, Problems problems) {
        for (Node.Entry entry : gateway.entries().values()) {
            if (!GATEWAY_KEYS.contains(entry.key())) {
                problems.error(entry.keyLocation(), "unknown key '" + entry.key() + "' in gateway '" + name
                        + "'; a gateway has connection, state_connection, test_connection, scheduler,"
                        + " state_schema, variables and model_defaults");
            }
        }
        if (gateway.get("model_defaults") instanceof Node.MapNode defaults) {
            checkModelDefaults(defaults, problems);
        }
    }

    /** The connection's type, or null after recording why it is missing or unknown. */
    static String connectionType(Node connection, String where, Problems problems) {
        if (!(connection instanceof Node.MapNode map)) {
            if (!(connection instanceof Node.Opaque)) {
                problems.error(connection.location(), where + " must be a mapping with a `type`, found "
                        + describe(connection));
            }
            return null;
        }
        Node type = map.get("type");
        if (!(type instanceof Node.Scalar scalar) || scalar.value() == null) {
            problems.error(map.location(), where + " has no `type`; add one such as `type: duckdb`");
            return null;
        }
        if (!ConnectionTypes.known(scalar.text())) {
            problems.error(type.location(), "unknown connection type '" + scalar.text() + "' in " + where
                    + "; SQLMesh knows " + String.join(", ", ConnectionTypes.CLASSES.keySet()));
            return null;
        }
        return scalar.text();
    }

    static String describe(Node node) {
        if (node instanceof Node.MapNode) {
            return "a mapping";
        }
        if (node instanceof Node.ListNode) {
            return "a list";
        }
        if (node instanceof Node.Scalar s) {
            return s.value() == null ? "nothing" : "'" + s.text() + "'";
        }
        return "an expression";
    }
}
