package dev.sqlmeshdag.lineage;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The SQL dialects SQLMesh accepts in {@code model_defaults.dialect}, with the two things lineage needs from each:
 * how unquoted and quoted identifiers are case-folded, and which characters may quote an identifier.
 * The case rules follow sqlglot's per-dialect normalization strategy, since SQLMesh normalises names through it.
 */
public enum Dialect {
    ATHENA(Casing.LOWERCASE, false, false),
    BIGQUERY(Casing.BIGQUERY, true, false),
    CLICKHOUSE(Casing.CASE_SENSITIVE, true, false),
    DATABRICKS(Casing.CASE_INSENSITIVE, true, false),
    DORIS(Casing.CASE_SENSITIVE, true, false),
    DREMIO(Casing.LOWERCASE, false, false),
    DRILL(Casing.LOWERCASE, true, false),
    DRUID(Casing.LOWERCASE, false, false),
    DUCKDB(Casing.CASE_INSENSITIVE, false, false),
    DUNE(Casing.CASE_INSENSITIVE, false, false),
    EXASOL(Casing.UPPERCASE, false, true),
    FABRIC(Casing.CASE_SENSITIVE, false, true),
    HIVE(Casing.CASE_INSENSITIVE, true, false),
    MATERIALIZE(Casing.LOWERCASE, false, false),
    MOTHERDUCK(Casing.CASE_INSENSITIVE, false, false),
    MYSQL(Casing.CASE_SENSITIVE, true, false),
    ORACLE(Casing.UPPERCASE, false, false),
    POSTGRES(Casing.LOWERCASE, false, false),
    PRESTO(Casing.CASE_INSENSITIVE, false, false),
    REDSHIFT(Casing.CASE_INSENSITIVE, false, false),
    RISINGWAVE(Casing.LOWERCASE, false, false),
    SNOWFLAKE(Casing.UPPERCASE, false, false),
    SPARK(Casing.CASE_INSENSITIVE, true, false),
    SPARK2(Casing.CASE_INSENSITIVE, true, false),
    SQLITE(Casing.CASE_INSENSITIVE, true, true),
    STARROCKS(Casing.CASE_SENSITIVE, true, false),
    TERADATA(Casing.LOWERCASE, false, false),
    TRINO(Casing.CASE_INSENSITIVE, false, false),
    TSQL(Casing.CASE_INSENSITIVE, false, true),
    /** sqlglot's own dialect, used when a model names none. */
    GENERIC(Casing.LOWERCASE, false, false);

    /** How a dialect folds identifier case (sqlglot's NormalizationStrategy, plus BigQuery's own rule). */
    public enum Casing {
        /** Unquoted folded to lower case, quoted kept (Postgres). */
        LOWERCASE,
        /** Unquoted folded to upper case, quoted kept (Snowflake). */
        UPPERCASE,
        /** Everything folded to lower case, quoted or not (DuckDB, Spark, T-SQL, Trino). */
        CASE_INSENSITIVE,
        /** Nothing folded (MySQL, ClickHouse). */
        CASE_SENSITIVE,
        /** Qualified table names keep their case; lone names (CTEs, aliases) fold to lower case. */
        BIGQUERY
    }

    private static final Map<String, Dialect> ALIASES = Map.of("postgresql", POSTGRES, "mssql", TSQL,
            "sqlserver", TSQL, "azuresql", TSQL, "gcp_postgres", POSTGRES);

    /**
     * Dialects whose sqlglot tokenizer reads {@code "x"} as a string (or, for Drill, rejects it) rather than as a
     * quoted identifier; checked against sqlglot's tokenizer QUOTES/IDENTIFIERS in the pinned virtualenv.
     */
    private static final Set<Dialect> DOUBLE_QUOTE_NOT_IDENTIFIER = EnumSet.of(BIGQUERY, DATABRICKS, DORIS, DRILL,
            HIVE, MYSQL, SPARK, SPARK2, STARROCKS);

    private final Casing casing;
    private final boolean backticks;
    private final boolean brackets;

    Dialect(Casing casing, boolean backticks, boolean brackets) {
        this.casing = casing;
        this.backticks = backticks;
        this.brackets = brackets;
    }

    public Casing casing() {
        return casing;
    }

    /** Whether {@code `name`} quotes an identifier (otherwise a backtick is just part of a name). */
    public boolean backticks() {
        return backticks;
    }

    /** Whether {@code [name]} quotes an identifier. */
    public boolean brackets() {
        return brackets;
    }

    /** Whether {@code "name"} quotes an identifier (in Spark, BigQuery, MySQL ... it is a string). */
    public boolean doubleQuotes() {
        return !DOUBLE_QUOTE_NOT_IDENTIFIER.contains(this);
    }

    /** Whether a token opening with {@code open} ({@code "}, {@code `} or {@code [}) is a quoted identifier. */
    public boolean quotesIdentifier(char open) {
        return switch (open) {
            case '"' -> doubleQuotes();
            case '`' -> backticks;
            case '[' -> brackets;
            default -> false;
        };
    }

    /** The dialect named in a config ({@code duckdb}, {@code Snowflake}, ...); settings after a comma are ignored. */
    public static Optional<Dialect> of(String name) {
        if (name == null || name.isBlank()) {
            return Optional.of(GENERIC);
        }
        String key = name.split(",", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (ALIASES.containsKey(key)) {
            return Optional.of(ALIASES.get(key));
        }
        for (Dialect d : values()) {
            if (d.name().toLowerCase(Locale.ROOT).equals(key)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * The casing a dialect string asks for: SQLMesh accepts {@code snowflake,normalization_strategy=case_sensitive}
     * to override the dialect's own rule.
     */
    public static Casing casingOf(String dialectSetting) {
        Dialect base = of(dialectSetting).orElse(GENERIC);
        if (dialectSetting == null) {
            return base.casing;
        }
        for (String setting : dialectSetting.split(",")) {
            String[] kv = setting.split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("normalization_strategy")) {
                String v = kv[1].trim().toUpperCase(Locale.ROOT);
                return switch (v) {
                    case "LOWERCASE" -> Casing.LOWERCASE;
                    case "UPPERCASE" -> Casing.UPPERCASE;
                    case "CASE_SENSITIVE" -> Casing.CASE_SENSITIVE;
                    case "CASE_INSENSITIVE" -> Casing.CASE_INSENSITIVE;
                    default -> base.casing;
                };
            }
        }
        return base.casing;
    }

    /** An identifier as this casing resolves it. BigQuery's rule depends on the name's position, see callers. */
    public static String fold(Casing casing, String text, boolean quoted) {
        return switch (casing) {
            case LOWERCASE -> quoted ? text : text.toLowerCase(Locale.ROOT);
            case UPPERCASE -> quoted ? text : text.toUpperCase(Locale.ROOT);
            case CASE_INSENSITIVE, BIGQUERY -> text.toLowerCase(Locale.ROOT);
            case CASE_SENSITIVE -> text;
        };
    }
}
