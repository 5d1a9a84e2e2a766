package dev.sqlmeshdag.parse;

import java.util.Locale;
import java.util.Map;

/**
 * How a SQL dialect quotes strings and identifiers and writes comments: the only dialect differences that
 * decide where a statement ends. Mirrors the tokenizer settings of the dialects SQLMesh supports.
 *
 * @param doubleQuotedStrings {@code "x"} is a string rather than an identifier
 * @param identifierQuotes    opening quote character to closing quote character for identifiers
 * @param backslashEscapes    a backslash escapes the next character inside strings
 * @param hashComments        {@code #} starts a line comment
 * @param slashComments       {@code //} starts a line comment
 * @param dollarQuoted        {@code $tag$ ... $tag$} strings
 * @param tripleQuoted        {@code '''...'''} and {@code """..."""} strings
 * @param nestedComments      block comments nest
 */
record SqlLexRules(boolean doubleQuotedStrings, Map<Character, Character> identifierQuotes, boolean backslashEscapes,
                   boolean hashComments, boolean slashComments, boolean dollarQuoted, boolean tripleQuoted,
                   boolean nestedComments) {

    private static final Map<Character, Character> DOUBLE = Map.of('"', '"');
    private static final Map<Character, Character> BACKTICK = Map.of('`', '`');

    /** The rules for a dialect name as written in a model or config ({@code duckdb}, {@code bigquery}...). */
    static SqlLexRules forDialect(String dialect) {
        String name = dialect == null ? "" : dialect.trim().toLowerCase(Locale.ROOT);
        int comma = name.indexOf(',');
        if (comma >= 0) {
            // "snowflake,normalization_strategy=..." carries settings after the name
            name = name.substring(0, comma).trim();
        }
        return switch (name) {
            case "bigquery" -> new SqlLexRules(true, BACKTICK, true, true, false, false, true, false);
            case "mysql", "starrocks", "doris", "singlestore" ->
                    new SqlLexRules(true, BACKTICK, true, true, false, false, false, false);
            case "spark", "spark2", "databricks", "hive" ->
                    new SqlLexRules(true, BACKTICK, true, false, false, false, false, true);
            case "snowflake" -> new SqlLexRules(false, DOUBLE, true, false, true, true, false, false);
            case "redshift" -> new SqlLexRules(false, DOUBLE, true, false, false, true, false, true);
            case "clickhouse" -> new SqlLexRules(false, Map.of('"', '"', '`', '`'), true, true, false, true, false, true);
            case "athena" -> new SqlLexRules(false, Map.of('"', '"', '`', '`'), true, false, false, false, false, true);
            case "tsql", "fabric" -> new SqlLexRules(true, Map.of('[', ']', '"', '"'), false, false, false, false, false, true);
            case "sqlite" -> new SqlLexRules(false, Map.of('"', '"', '[', ']', '`', '`'), false, false, false, false, false, false);
            case "dremio" -> new SqlLexRules(false, DOUBLE, false, false, true, false, false, true);
            case "exasol" -> new SqlLexRules(false, Map.of('"', '"', '[', ']'), false, false, false, false, false, true);
            case "solr" -> new SqlLexRules(false, BACKTICK, false, false, false, false, false, true);
            case "postgres", "risingwave", "materialize", "duckdb", "motherduck" ->
                    new SqlLexRules(false, DOUBLE, false, false, false, true, false, true);
            default -> new SqlLexRules(false, DOUBLE, false, false, false, false, false, false);
        };
    }
}
