package dev.sqlmeshdag.lineage;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.sql.Dialect;
import dev.sqlmeshdag.sql.SqlLexer;
import dev.sqlmeshdag.sql.SqlToken;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;

/**
 * Finds every table a rendered query reads, CTE names excluded at every scope.
 *
 * <p>The token scanner answers first: JSqlParser needs 2-3 ms for a typical model query, which alone would
 * exceed the load budget of a thousand-model project, while the scanner needs microseconds and also reads
 * dialect syntax JSqlParser rejects. JSqlParser (same scoping rules, see {@link ScopedTableFinder}; the tests
 * check both agree) settles the case where the scan is unsure: parentheses that do not pair up.
 */
public final class TableExtractor {

    /**
     * JSqlParser can backtrack for seconds on some inputs; past this the token scanner answers instead, which
     * keeps a thousand-model project within its load budget.
     */
    private static final long PARSE_TIMEOUT_MS = 400;

    private static final ExecutorService PARSER_THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sql-parser");
        t.setDaemon(true);
        return t;
    });

    private TableExtractor() {
    }

    /** Table names as written (quotes kept), for {@link NameNormalizer#fqn(String)}. */
    public static List<String> tables(String renderedSql, String dialect, Location where, Problems problems) {
        return tables(renderedSql, dialect, where, problems, false);
    }

    /**
     * @param macrosSubstituted whether SQLMesh's macro evaluator changed the query (any macro in it), after which
     *                          it writes the query back to SQL and parses it again; see
     *                          {@link TableScanner#scanChecked(String, Dialect, NameNormalizer, boolean)}
     */
    public static List<String> tables(String renderedSql, String dialect, Location where, Problems problems,
            boolean macrosSubstituted) {
        if (renderedSql == null || renderedSql.isBlank()) {
            return List.of();
        }
        Dialect d = Dialect.of(dialect).orElse(Dialect.GENERIC);
        NameNormalizer names = new NameNormalizer(dialect, null);
        UnaryOperator<String> fold = names::foldIdentifier;
        TableScanner.Result scanned = TableScanner.scanChecked(renderedSql, d, names, macrosSubstituted);
        if (scanned.balanced()) {
            return scanned.tables();
        }
        // unpaired parentheses may have misled the scan's scoping: a full parse settles it if JSqlParser can
        Optional<List<String>> parsed = parsedTables(renderedSql, d, fold);
        if (parsed.isPresent()) {
            return parsed.get();
        }
        problems.warning(where, "the parentheses of this query do not pair up once macros are rendered, so SQLMesh "
                + "cannot parse it; lineage lists the tables it could still find"
                + (readsSomething(renderedSql, d) && scanned.tables().isEmpty() ? " (none): list them in the "
                        + "model's depends_on property" : ""));
        return scanned.tables();
    }

    /** Tables read according to JSqlParser's parse tree, or empty when it cannot read the SQL in time. */
    static Optional<List<String>> parsedTables(String sql, Dialect d, UnaryOperator<String> fold) {
        Prepared prepared = prepareForParser(sql, d);
        if (prepared.parserMisreads()) {
            return Optional.empty();
        }
        try {
            return parse(prepared.sql(), d).map(statement -> new ScopedTableFinder(fold).find(statement).stream()
                    .map(name -> prepared.placeholders().getOrDefault(name, name))
                    .toList());
        } catch (RuntimeException e) {
            // JSqlParser's visitor rejects some statement kinds outright; the scan's answer stands then
            return Optional.empty();
        }
    }

    /** The parse tree, or empty when JSqlParser cannot read this dialect's SQL in time. */
    static Optional<Statement> parse(String prepared, Dialect dialect) {
        try {
            return Optional.ofNullable(CCJSqlParserUtil.parse(prepared, PARSER_THREADS, parser -> parser
                    .withSquareBracketQuotation(dialect.brackets())
                    .withBackslashEscapeCharacter(dialect.lexis().backslashEscapes())
                    .withTimeOut(PARSE_TIMEOUT_MS)));
        } catch (JSQLParserException | RuntimeException | StackOverflowError e) {
            return Optional.empty();
        }
    }

    /** SQL ready for JSqlParser, and the stand-in names it uses mapped back to the names as written. */
    record Prepared(String sql, Map<String, String> placeholders, boolean parserMisreads) {
    }

    /**
     * Light rewrites that keep the meaning for lineage but let JSqlParser read the text: a trailing semicolon is
     * dropped and DuckDB's {@code FROM 'file.parquet'} becomes a stand-in name (sqlglot reads the file as a table
     * named by its path; JSqlParser would split a quoted path at its dots).
     */
    static Prepared prepareForParser(String sql, Dialect dialect) {
        String s = sql.strip();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        List<SqlToken> tokens = SqlLexer.tokens(s, dialect);
        if (dialect == Dialect.CLICKHOUSE && hasArrayJoin(tokens)) {
            // JSqlParser reads ARRAY JOIN's column as a joined table without failing, so skip it
            return new Prepared(s, Map.of(), true);
        }
        if (dialect != Dialect.DUCKDB && dialect != Dialect.MOTHERDUCK) {
            return new Prepared(s, Map.of(), false);
        }
        Map<String, String> placeholders = new HashMap<>();
        StringBuilder out = new StringBuilder(s.length());
        int copied = 0;
        for (int k = 1; k < tokens.size(); k++) {
            SqlToken t = tokens.get(k);
            SqlToken prev = tokens.get(k - 1);
            if (t.isStringLiteral() && (prev.is("FROM") || prev.is("JOIN"))) {
                String path = t.text().substring(1, t.text().length() - 1).replace("''", "'");
                String standIn = "__file_path_" + placeholders.size();
                placeholders.put(standIn, '"' + path.replace("\"", "\"\"") + '"');
                out.append(s, copied, t.start()).append(standIn);
                copied = t.end();
            }
        }
        return new Prepared(out.append(s.substring(copied)).toString(), placeholders, false);
    }

    private static boolean hasArrayJoin(List<SqlToken> tokens) {
        for (int k = 0; k + 1 < tokens.size(); k++) {
            if (tokens.get(k).is("ARRAY") && tokens.get(k + 1).is("JOIN")) {
                return true;
            }
        }
        return false;
    }

    /** A FROM or JOIN followed by something other than a subquery, a literal or a Snowflake stage. */
    private static boolean readsSomething(String sql, Dialect dialect) {
        List<SqlToken> tokens = SqlLexer.tokens(sql, dialect);
        for (int k = 0; k + 1 < tokens.size(); k++) {
            if ((tokens.get(k).is("FROM") || tokens.get(k).is("JOIN")) && TableScanner.couldBeTable(tokens.get(k + 1))) {
                return true;
            }
        }
        return false;
    }
}
