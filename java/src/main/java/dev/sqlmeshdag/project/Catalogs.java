package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.Problems;
import java.util.Map;

/**
 * The default catalog SQLMesh gets for a connection: the configured database/catalog/project where the
 * connection names one, otherwise what the warehouse reports for a fresh session (its documented default).
 * Engines without catalogs give null.
 */
final class Catalogs {

    /** Marks a catalog only the live warehouse knows; callers warn and treat it as absent. */
    static final String UNKNOWN = "\u0000unknown";

    private Catalogs() {
    }

    /**
     * @param connection the connection mapping (its {@code type} already checked)
     * @param where      how to name the connection in messages
     */
    static String of(String type, Node.MapNode connection, String where, Problems problems) {
        return switch (type) {
            case "duckdb", "motherduck" -> duckdb(type, connection, where, problems);
            case "postgres", "risingwave", "trino", "gcp_postgres" -> required(connection,
                    type.equals("trino") ? "catalog" : type.equals("gcp_postgres") ? "db" : "database", type, where, problems);
            case "db2" -> {
                String db = required(connection, "database", type, where, problems);
                // Db2 reports catalog names in upper case and SQLMesh upper-cases the configured one to match.
                yield db == null ? null : db.toUpperCase();
            }
            case "spark" -> orDefault(problems, connection, "catalog", "spark_catalog");
            case "athena" -> orDefault(problems, connection, "catalog_name", "awsdatacatalog");
            case "redshift" -> orDefault(problems, connection, "database", "dev");
            case "databricks" -> orDefault(problems, connection, "catalog", UNKNOWN);
            case "snowflake", "mssql", "azuresql", "fabric" -> orDefault(problems, connection, "database", UNKNOWN);
            case "bigquery" -> orDefault(problems, connection, "project", UNKNOWN);
            default -> null; // mysql, starrocks, clickhouse: no catalogs
        };
    }

    /** Which setting names the catalog, for the warning when it is left to the warehouse. */
    static String settingFor(String type) {
        return Map.of("databricks", "catalog", "bigquery", "project").getOrDefault(type, "database");
    }

    private static String duckdb(String type, Node.MapNode connection, String where, Problems problems) {
        String database = text(connection.get("database"), "database", problems);
        Node catalogs = connection.get("catalogs");
        boolean hasCatalogs = catalogs instanceof Node.MapNode m && !m.entries().isEmpty();
        if (database != null && !database.isEmpty() && hasCatalogs) {
            problems.error(connection.location(), where + " sets both `database` and `catalogs`, which SQLMesh"
                    + " rejects; list every database under `catalogs` (the first is the default catalog)");
            return null;
        }
        if (database != null && !database.isEmpty()) {
            return stem(database.replace(":memory:", "memory"));
        }
        if (hasCatalogs) {
            return ((Node.MapNode) catalogs).entries().keySet().iterator().next();
        }
        // An unnamed DuckDB session starts in its in-memory database; MotherDuck starts in the account's default.
        return type.equals("duckdb") ? "memory" : UNKNOWN;
    }

    /** The file name without its last extension, as Python's {@code PurePath.stem}. */
    static String stem(String path) {
        String normalized = path.replace('\\', '/');
        while (normalized.endsWith("/") && normalized.length() > 1) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        String name = normalized.substring(normalized.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 && dot < name.length() - 1 ? name.substring(0, dot) : name;
    }

    private static String required(Node.MapNode connection, String key, String type, String where,
            Problems problems) {
        String value = text(connection.get(key), key, problems);
        if (value == null || value.isEmpty()) {
            problems.error(connection.location(), where + " (" + type + ") needs `" + key + "`; SQLMesh requires it"
                    + " and uses it as the default catalog");
            return null;
        }
        return value;
    }

    private static String orDefault(Problems problems, Node.MapNode connection, String key, String fallback) {
        String value = text(connection.get(key), key, problems);
        return value == null || value.isEmpty() ? fallback : value;
    }

    static String textOf(Node node) {
        return node instanceof Node.Scalar s ? s.text() : null;
    }

    private static String text(Node node, String key, Problems problems) {
        if (node instanceof Node.Opaque opaque) {
            problems.unresolvedConfig(opaque.location(), "cannot read the connection's `" + key + "` statically ("
                    + opaque.what() + "); write it as a literal so the default catalog is known");
        }
        return node instanceof Node.Scalar s ? s.text() : null;
    }
}
