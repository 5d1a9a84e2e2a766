package dev.sqlmeshdag.project;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The warehouse connection types SQLMesh accepts ({@code connection.type}), each with the config class a
 * {@code config.py} builds it with: SQLMesh's {@code CONNECTION_CONFIG_TO_TYPE}, which {@code SqlmeshFactsTest}
 * compares this table with. The Python package's Airflow-Connection table maps onto the same names (its own test
 * compares them with SQLMesh's too).
 */
public final class ConnectionTypes {

    /** type -> config class name, in SQLMesh's spelling. */
    public static final Map<String, String> CLASSES = java.util.Collections.unmodifiableMap(new TreeMap<>(Map.ofEntries(
            Map.entry("athena", "AthenaConnectionConfig"),
            Map.entry("azuresql", "AzureSQLConnectionConfig"),
            Map.entry("bigquery", "BigQueryConnectionConfig"),
            Map.entry("clickhouse", "ClickhouseConnectionConfig"),
            Map.entry("databricks", "DatabricksConnectionConfig"),
            Map.entry("db2", "Db2ConnectionConfig"),
            Map.entry("duckdb", "DuckDBConnectionConfig"),
            Map.entry("fabric", "FabricConnectionConfig"),
            Map.entry("gcp_postgres", "GCPPostgresConnectionConfig"),
            Map.entry("motherduck", "MotherDuckConnectionConfig"),
            Map.entry("mssql", "MSSQLConnectionConfig"),
            Map.entry("mysql", "MySQLConnectionConfig"),
            Map.entry("postgres", "PostgresConnectionConfig"),
            Map.entry("redshift", "RedshiftConnectionConfig"),
            Map.entry("risingwave", "RisingwaveConnectionConfig"),
            Map.entry("snowflake", "SnowflakeConnectionConfig"),
            Map.entry("spark", "SparkConnectionConfig"),
            Map.entry("starrocks", "StarRocksConnectionConfig"),
            Map.entry("trino", "TrinoConnectionConfig"))));

    private ConnectionTypes() {
    }

    static boolean known(String type) {
        return CLASSES.containsKey(type);
    }

    /** The type a {@code config.py} class name builds, if it is one of SQLMesh's connection configs. */
    static Optional<String> ofClass(String className) {
        return CLASSES.entrySet().stream().filter(e -> e.getValue().equals(className)).map(Map.Entry::getKey)
                .findFirst();
    }
}
