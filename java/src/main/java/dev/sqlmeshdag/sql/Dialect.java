package dev.sqlmeshdag.sql;

import static dev.sqlmeshdag.sql.LexicalRules.BIT;
import static dev.sqlmeshdag.sql.LexicalRules.BYTE;
import static dev.sqlmeshdag.sql.LexicalRules.HEX;
import static dev.sqlmeshdag.sql.LexicalRules.PLAIN;
import static dev.sqlmeshdag.sql.LexicalRules.RAW;
import static dev.sqlmeshdag.sql.LexicalRules.rules;

import dev.sqlmeshdag.sql.LexicalRules.Heredoc;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL dialects SQLMesh accepts in {@code model_defaults.dialect} (every dialect the pinned sqlglot registers),
 * each with everything the engine needs to know about it: how unquoted and quoted identifiers are case-folded
 * (sqlglot's per-dialect normalization strategy, since SQLMesh normalises names through it) and its
 * {@link LexicalRules}: how it quotes strings and identifiers, escapes quotes and writes comments, which
 * {@link SqlLexer} reads. The lexical facts are copied from each sqlglot Tokenizer and {@code DialectLexingTest}
 * checks the lexer's tokens against sqlglot's tokenizer.
 */
public enum Dialect {
    /**
     * sqlglot's Athena tokenizer reads the text with Hive's and Trino's rules combined, then again with Trino's for
     * everything but Hive-style DDL (which no model query is).
     */
    ATHENA(Casing.LOWERCASE, trinoRules().firstPass(rules().quotes("'").identifiers("\"\"", "``")
            .stringEscapes("'\\").byteStringEscapes("'\\").comments("--", "/*", "{#", "/*+").nested(true)
            .prefixes(PLAIN, "n'", "N'", "U&'", "u&'").prefixes(HEX, "x'", "X'"))),
    BIGQUERY(Casing.BIGQUERY, rules().quotes("'", "\"", "\"\"\"", "'''").identifiers("``").stringEscapes("\\")
            .byteStringEscapes("\\").comments("--", "#", "/*", "{#").nested(false)
            .prefixes(PLAIN, "n'", "N'", "n\"", "N\"", "n\"\"\"", "N\"\"\"", "n'''", "N'''")
            .prefixes(BYTE, "b'", "B'", "b\"", "B\"", "b\"\"\"", "B\"\"\"", "b'''", "B'''")
            .prefixes(RAW, "r'", "R'", "r\"", "R\"", "r\"\"\"", "R\"\"\"", "r'''", "R'''").operators("#>", "#>>")),
    CLICKHOUSE(Casing.CASE_SENSITIVE, rules().quotes("'").identifiers("\"\"", "``").stringEscapes("'\\")
            .byteStringEscapes("'\\").identifierEscapes("\\").comments("--", "#", "#!", "/*", "{#").nested(true)
            .prefixes(PLAIN, "n'", "N'").heredoc(Heredoc.ANY_TAG).operators("#>", "#>>").dollarEndsNames()),
    DATABRICKS(Casing.CASE_INSENSITIVE, rules().quotes("'", "\"").identifiers("``").stringEscapes("\\")
            .byteStringEscapes("\\").escapesInRawStrings(false).comments("--", "/*", "{#", "/*+").nested(true)
            .prefixes(PLAIN, "n'", "N'", "n\"", "N\"").prefixes(HEX, "X'", "x'")
            .prefixes(RAW, "r'", "R'", "r\"", "R\"").dollarEndsNames()),
    DORIS(Casing.CASE_SENSITIVE, rules().quotes("'", "\"").identifiers("``").stringEscapes("\"'\\")
            .byteStringEscapes("\"'\\").escapeFollowChars("%0Z_bnrt").comments("--", "#", "/*", "{#", "/*+")
            .nested(false).prefixes(PLAIN, "n'", "N'", "n\"", "N\"").prefixes(HEX, "x'", "X'")
            .prefixes(BIT, "b'", "B'").operators("#>", "#>>")),
    DREMIO(Casing.LOWERCASE, rules().quotes("'").identifiers("\"\"").stringEscapes("'").byteStringEscapes("'")
            .comments("--", "//", "/*", "{#", "/*+").nested(true).prefixes(PLAIN, "n'", "N'")),
    DRILL(Casing.LOWERCASE, rules().quotes("'").identifiers("``").stringEscapes("\\").byteStringEscapes("\\")
            .comments("--", "/*", "{#").nested(true).prefixes(PLAIN, "n'", "N'")),
    DRUID(Casing.LOWERCASE, rules().quotes("'").identifiers("\"\"").stringEscapes("'").byteStringEscapes("'")
            .comments("--", "/*", "{#", "/*+").nested(true).prefixes(PLAIN, "n'", "N'")),
    DUCKDB(Casing.CASE_INSENSITIVE, duckdbRules()),
    DUNE(Casing.CASE_INSENSITIVE, rules().quotes("'").identifiers("\"\"").stringEscapes("'").byteStringEscapes("'")
            .comments("--", "/*", "{#").nested(false).prefixes(PLAIN, "n'", "N'", "U&'", "u&'").prefixes(HEX, "X'")),
    EXASOL(Casing.UPPERCASE, rules().quotes("'").identifiers("\"\"", "[]").stringEscapes("'").byteStringEscapes("'")
            .comments("--", "/*", "{#", "/*+").nested(true).prefixes(PLAIN, "n'", "N'")),
    FABRIC(Casing.CASE_SENSITIVE, rules().quotes("'", "\"").identifiers("[]", "\"\"").stringEscapes("'")
            .byteStringEscapes("'").comments("--", "/*", "{#").nested(true)
            .prefixes(PLAIN, "n'", "N'", "n\"", "N\"")),
    HIVE(Casing.CASE_INSENSITIVE, rules().quotes("'", "\"").identifiers("``").stringEscapes("\\")
            .byteStringEscapes("\\").comments("--", "/*", "{#", "/*+").nested(true)
            .prefixes(PLAIN, "n'", "N'", "n\"", "N\"").dollarEndsNames()),
    MATERIALIZE(Casing.LOWERCASE, rules().quotes("'").identifiers("\"\"").stringEscapes("'").byteStringEscapes("'")
            .comments("--", "/*", "{#").nested(true).prefixes(PLAIN, "n'", "N'").prefixes(HEX, "x'", "X'")
            .prefixes(BIT, "b'", "B'")
            .prefixes(BYTE, "e'", "E'").heredoc(Heredoc.IDENTIFIER_TAG).operators("#-", "|/", "||/")),
    /** Not a sqlglot dialect: SQLMesh's MotherDuck connection speaks DuckDB's SQL. */
    MOTHERDUCK(Casing.CASE_INSENSITIVE, duckdbRules()),
    MYSQL(Casing.CASE_SENSITIVE, rules().quotes("'", "\"").identifiers("``").stringEscapes("\"'\\")
            .byteStringEscapes("\"'\\").escapeFollowChars("%0Z_bnrt").comments("--", "#", "/*", "{#", "/*+")
            .nested(false).prefixes(PLAIN, "n'", "N'", "n\"", "N\"").prefixes(HEX, "x'", "X'")
            .prefixes(BIT, "b'", "B'").operators("#>", "#>>")),
    ORACLE(Casing.UPPERCASE, rules().quotes("'").identifiers("\"\"").stringEscapes("'").byteStringEscapes("'")
            .comments("--", "/*", "{#", "/*+").nested(false).prefixes(PLAIN, "n'", "N'", "U'", "u'")),
    POSTGRES(Casing.LOWERCASE, rules().quotes("'").identifiers("\"\"").stringEscapes("'").byteStringEscapes("'\\")
            .comments("--", "/*", "{#").nested(true).prefixes(PLAIN, "n'", "N'").prefixes(HEX, "x'", "X'")
            .prefixes(BIT, "b'", "B'")
            .prefixes(BYTE, "e'", "E'").heredoc(Heredoc.IDENTIFIER_TAG).operators("#-", "|/", "||/")),
    PRESTO(Casing.CASE_INSENSITIVE, rules().quotes("'").identifiers("\"\"").stringEscapes("'")
            .byteStringEscapes("'").comments("--", "/*", "{#").nested(false)
            .prefixes(PLAIN, "n'", "N'", "U&'", "u&'").prefixes(HEX, "x'", "X'")),
    PRQL(Casing.LOWERCASE, rules().quotes("'", "\"").identifiers("``").stringEscapes("'").byteStringEscapes("'")
            .comments("--", "/*", "{#", "/*+").nested(true).prefixes(PLAIN, "n'", "N'", "n\"", "N\"")),
    REDSHIFT(Casing.CASE_INSENSITIVE, rules().quotes("'").identifiers("\"\"").stringEscapes("'\\")
            .byteStringEscapes("'\\").comments("--", "/*", "{#").nested(true).prefixes(PLAIN, "n'", "N'")
            .prefixes(BYTE, "e'", "E'").heredoc(Heredoc.IDENTIFIER_TAG).wordChars("#").operators("#-", "|/", "||/")),
    RISINGWAVE(Casing.LOWERCASE, rules().quotes("'").identifiers("\"\"").stringEscapes("'").byteStringEscapes("'")
            .comments("--", "/*", "{#").nested(true).prefixes(PLAIN, "n'", "N'").prefixes(HEX, "x'", "X'")
            .prefixes(BIT, "b'", "B'")
            .prefixes(BYTE, "e'", "E'").heredoc(Heredoc.IDENTIFIER_TAG).operators("#-", "|/", "||/")),
    SINGLESTORE(Casing.CASE_SENSITIVE, rules().quotes("'", "\"").identifiers("``").stringEscapes("\"'\\")
            .byteStringEscapes("\"'\\").escapeFollowChars("%0Z_bnrt").comments("--", "#", "/*", "{#", "/*+")
            .nested(false).prefixes(PLAIN, "n'", "N'", "n\"", "N\"").prefixes(HEX, "x'", "X'")
            .prefixes(BIT, "b'", "B'")
            .prefixes(BYTE, "e'", "E'").operators("#>", "#>>")),
    SNOWFLAKE(Casing.UPPERCASE, rules().quotes("'").identifiers("\"\"").stringEscapes("'\\")
            .byteStringEscapes("'\\").comments("--", "//", "/*", "{#").nested(false).dollarRaw()
            .prefixes(PLAIN, "n'", "N'").prefixes(HEX, "x'", "X'")),
    SOLR(Casing.CASE_INSENSITIVE, rules().quotes("'").identifiers("``").stringEscapes("'").byteStringEscapes("'")
            .comments("--", "/*", "{#", "/*+").nested(true).prefixes(PLAIN, "n'", "N'")),
    SPARK(Casing.CASE_INSENSITIVE, rules().quotes("'", "\"").identifiers("``").stringEscapes("\\")
            .byteStringEscapes("\\").escapesInRawStrings(false).comments("--", "/*", "{#", "/*+").nested(true)
            .prefixes(PLAIN, "n'", "N'", "n\"", "N\"").prefixes(HEX, "X'", "x'")
            .prefixes(RAW, "r'", "R'", "r\"", "R\"").dollarEndsNames()),
    SPARK2(Casing.CASE_INSENSITIVE, rules().quotes("'", "\"").identifiers("``").stringEscapes("\\")
            .byteStringEscapes("\\").comments("--", "/*", "{#", "/*+").nested(true)
            .prefixes(PLAIN, "n'", "N'", "n\"", "N\"").prefixes(HEX, "X'", "x'").dollarEndsNames()),
    SQLITE(Casing.CASE_INSENSITIVE, rules().quotes("'").identifiers("\"\"", "[]", "``").stringEscapes("'")
            .byteStringEscapes("'").comments("--", "/*", "{#").nested(false).prefixes(PLAIN, "n'", "N'")
            .prefixes(HEX, "x'", "X'")),
    STARROCKS(Casing.CASE_SENSITIVE, rules().quotes("'", "\"").identifiers("``").stringEscapes("\"'\\")
            .byteStringEscapes("\"'\\").escapeFollowChars("%0Z_bnrt").comments("--", "#", "/*", "{#", "/*+")
            .nested(false).prefixes(PLAIN, "n'", "N'", "n\"", "N\"").prefixes(HEX, "x'", "X'")
            .prefixes(BIT, "b'", "B'").operators("#>", "#>>")),
    TABLEAU(Casing.LOWERCASE, rules().quotes("'", "\"").identifiers("[]").stringEscapes("'").byteStringEscapes("'")
            .comments("--", "/*", "{#", "/*+").nested(true).prefixes(PLAIN, "n'", "N'", "n\"", "N\"")),
    TERADATA(Casing.LOWERCASE, rules().quotes("'").identifiers("\"\"").stringEscapes("'").byteStringEscapes("'")
            .comments("--", "/*", "{#").nested(true).prefixes(PLAIN, "n'", "N'").prefixes(HEX, "X'", "x'")),
    TRINO(Casing.CASE_INSENSITIVE, trinoRules()),
    TSQL(Casing.CASE_INSENSITIVE, rules().quotes("'", "\"").identifiers("[]", "\"\"").stringEscapes("'")
            .byteStringEscapes("'").comments("--", "/*", "{#").nested(true)
            .prefixes(PLAIN, "n'", "N'", "n\"", "N\"")),
    /** sqlglot's own dialect, used when a model names none. */
    GENERIC(Casing.LOWERCASE, rules().quotes("'").identifiers("\"\"").stringEscapes("'").byteStringEscapes("'")
            .comments("--", "/*", "{#", "/*+").nested(true).prefixes(PLAIN, "n'", "N'"));

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
        BIGQUERY;

        /** An identifier as this casing resolves it; for a part of a table name see {@link #foldTablePart}. */
        public String fold(String text, boolean quoted) {
            return switch (this) {
                case LOWERCASE -> quoted ? text : text.toLowerCase(Locale.ROOT);
                case UPPERCASE -> quoted ? text : text.toUpperCase(Locale.ROOT);
                case CASE_INSENSITIVE, BIGQUERY -> text.toLowerCase(Locale.ROOT);
                case CASE_SENSITIVE -> text;
            };
        }

        /** One part of a table name, which BigQuery keeps as written when the name is qualified. */
        public String foldTablePart(String text, boolean quoted, boolean qualifiedTable) {
            return this == BIGQUERY && qualifiedTable ? text : fold(text, quoted);
        }
    }

    private static final Map<String, Dialect> ALIASES = Map.of("postgresql", POSTGRES, "mssql", TSQL,
            "sqlserver", TSQL, "azuresql", TSQL, "gcp_postgres", POSTGRES);

    private final Casing casing;
    private final LexicalRules lexis;

    Dialect(Casing casing, LexicalRules.Builder lexis) {
        this.casing = casing;
        this.lexis = lexis.build();
    }

    /** How this dialect writes strings, quoted identifiers and comments. */
    public LexicalRules lexis() {
        return lexis;
    }

    public Casing casing() {
        return casing;
    }

    private static LexicalRules.Builder trinoRules() {
        return rules().quotes("'").identifiers("\"\"").stringEscapes("'").byteStringEscapes("'")
                .comments("--", "/*", "{#").nested(false).prefixes(PLAIN, "n'", "N'", "U&'", "u&'")
                .prefixes(HEX, "x'", "X'");
    }

    private static LexicalRules.Builder duckdbRules() {
        return rules().quotes("'").identifiers("\"\"").stringEscapes("'").byteStringEscapes("'\\")
                .comments("--", "/*", "{#").nested(true).prefixes(PLAIN, "n'", "N'").prefixes(BYTE, "e'", "E'")
                .heredoc(Heredoc.IDENTIFIER_TAG).operators("//");
    }

    /**
     * Whether a joined FROM item may unfold a column of an earlier item ({@code FROM t AS a, a.items}): the
     * dialects whose sqlglot parser sets {@code SUPPORTS_IMPLICIT_UNNEST}.
     */
    public boolean implicitUnnest() {
        return this == BIGQUERY || this == REDSHIFT;
    }

    /** T-SQL's {@code #temp} and {@code ##global} tables: sqlglot's T-SQL parser drops the hashes from the name. */
    public boolean hashTempTables() {
        return this == TSQL || this == FABRIC;
    }

    /** Whether {@code `name`} quotes an identifier (otherwise a backtick is just part of a name). */
    public boolean backticks() {
        return lexis.identifierClose('`') != null;
    }

    /**
     * Whether {@code ""} inside {@code "..."} is one escaped quote: where {@code "} quotes identifiers, or strings
     * that {@code "} escapes (MySQL); elsewhere sqlglot reads two adjacent strings.
     */
    public boolean escapesDoubledDoubleQuote() {
        return lexis.escapesDoubledDoubleQuote();
    }

    /** Whether {@code [name]} quotes an identifier. */
    public boolean brackets() {
        return lexis.identifierClose('[') != null;
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
}
