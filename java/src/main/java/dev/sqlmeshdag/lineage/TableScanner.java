package dev.sqlmeshdag.lineage;

import dev.sqlmeshdag.sql.Dialect;
import dev.sqlmeshdag.sql.SqlLexer;
import dev.sqlmeshdag.sql.SqlToken;
import dev.sqlmeshdag.sql.SqlToken.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Finds table names by reading tokens, for queries JSqlParser cannot parse (Snowflake {@code LATERAL FLATTEN},
 * {@code v:path} access, BigQuery dashed projects, DuckDB {@code FROM 'file.parquet'} ...). A name counts when it
 * follows FROM, JOIN, APPLY or a comma in a FROM list and is not called like a function; CTE names are scoped
 * to the parentheses that declare them, the same rules {@link ScopedTableFinder} applies to a parse tree.
 */
final class TableScanner {

    private static final Set<String> CLAUSE_ENDS = Set.of("WHERE", "GROUP", "HAVING", "QUALIFY", "ORDER", "LIMIT",
            "UNION", "EXCEPT", "INTERSECT", "MINUS", "WINDOW", "SELECT", "OFFSET", "FETCH", "RETURNING", "SETTINGS",
            "FORMAT", "INTO");
    /** Words after FROM that introduce something other than a table name. */
    private static final Set<String> NOT_TABLES = Set.of("LATERAL", "UNNEST", "TABLE", "VALUES", "SELECT", "WITH",
            "FROM", "JOIN", "ON", "USING", "WHERE", "GROUP", "ORDER", "HAVING", "QUALIFY", "LIMIT", "UNION", "LEFT",
            "RIGHT", "INNER", "OUTER", "CROSS", "FULL", "NATURAL", "AS", "SET");
    /** Words that may follow a FROM item without being its alias. */
    private static final Set<String> NOT_ALIASES = Set.of("JOIN", "ON", "USING", "FOR", "TABLESAMPLE", "PIVOT",
            "UNPIVOT", "LEFT", "RIGHT", "INNER", "OUTER", "CROSS", "FULL", "NATURAL", "SEMI", "ANTI", "ANY", "ASOF",
            "APPLY", "WITH");
    /** Words between a FROM item and JOIN. */
    private static final Set<String> JOIN_WORDS = Set.of("LEFT", "RIGHT", "INNER", "OUTER", "CROSS", "FULL",
            "NATURAL", "SEMI", "ANTI");
    /** Words before a parenthesis that make it a query or a list rather than a function call. */
    private static final Set<String> NON_FUNCTION_WORDS = Set.of("IN", "EXISTS", "FROM", "JOIN", "AS", "ON", "AND",
            "OR", "NOT", "WHERE", "SELECT", "UNION", "ALL", "ANY", "SOME", "LATERAL", "DISTINCT", "EXCEPT",
            "INTERSECT", "MINUS", "APPLY", "THEN", "ELSE", "WHEN", "HAVING", "QUALIFY", "USING", "BY", "MATERIALIZED");

    private enum With { NONE, EXPECT_NAME, EXPECT_AS, EXPECT_BODY }

    /** State of one parenthesis level. */
    private static final class Frame {
        final Set<String> ctes = new HashSet<>();
        final boolean functionCall;
        /** The CTE whose body this parenthesis holds, or null. */
        final String cteBody;
        boolean sawSelect;
        boolean inFrom;
        With with = With.NONE;
        boolean recursive;
        String pendingCte;
        /** Names an implicit UNNEST may start with: the FROM list's table names and aliases so far, or null. */
        Set<String> refs;
        /** The WITH list being read at this level, and the CTE whose body this parenthesis holds (both or null). */
        WithList withList;
        Cte cte;
        /** Whether this parenthesis is a FROM item (a subquery or parenthesised join), whose alias follows it. */
        boolean fromItem;

        Frame(boolean functionCall, String cteBody) {
            this.functionCall = functionCall;
            this.cteBody = cteBody;
        }
    }

    /** One CTE: its folded name, its WITH list, and where its body opens (the same in every pass over the text). */
    private static final class Cte {
        final String name;
        final WithList list;
        final int open;

        Cte(String name, WithList list, int open) {
            this.name = name;
            this.list = list;
            this.open = open;
        }
    }

    /** A WITH list: its parenthesis depth, position and nearest enclosing CTE (sqlglot's find_ancestor(CTE)). */
    private static final class WithList {
        final int depth;
        final int position;
        final Cte parent;
        final List<Cte> ctes = new ArrayList<>();

        WithList(int depth, int position, Cte parent) {
            this.depth = depth;
            this.position = position;
            this.parent = parent;
        }
    }

    private final List<SqlToken> tokens;
    private final Dialect dialect;
    private final UnaryOperator<String> fold;
    private final NameNormalizer names;
    private final Deque<Frame> frames = new ArrayDeque<>();
    private final Set<String> found = new LinkedHashSet<>();
    private boolean balanced = true;
    private int i;
    private final List<WithList> withLists = new ArrayList<>();
    /** A set operation at the top level (sqlglot's root is then a Union, Except or Intersect). */
    private boolean rootSetOperation;
    /** The CTE order once nested WITH lists are moved to the top (see {@link #hoisted}), or null. */
    private List<Cte> hoisted;

    private TableScanner(List<SqlToken> tokens, Dialect dialect, NameNormalizer names) {
        this.tokens = tokens;
        this.dialect = dialect;
        this.names = names;
        this.fold = names::foldIdentifier;
    }

    /** What the scan found; {@code balanced} is false when parentheses did not pair up, so scopes may be wrong. */
    record Result(List<String> tables, boolean balanced) {
    }

    static List<String> scan(String sql, Dialect dialect, NameNormalizer names) {
        return scanChecked(sql, dialect, names).tables();
    }

    static Result scanChecked(String sql, Dialect dialect, NameNormalizer names) {
        return scanChecked(sql, dialect, names, false);
    }

    /**
     * @param regenerated whether SQLMesh wrote the query back to SQL and parsed it again before listing its tables,
     *                    which its macro evaluator does whenever it substituted a macro: the SQL generators of T-SQL,
     *                    Fabric, Hive, Spark and Databricks then move nested CTEs to the top of the query
     *                    (sqlglot's {@code move_ctes_to_top_level}), so their names hide tables in the whole query
     */
    static Result scanChecked(String sql, Dialect dialect, NameNormalizer names, boolean regenerated) {
        List<SqlToken> tokens = SqlLexer.tokens(sql, dialect);
        TableScanner s = new TableScanner(tokens, dialect, names);
        s.run();
        if (regenerated && s.balanced && s.frames.size() == 1) {
            List<Cte> order = s.hoistedOrder();
            if (order != null) {
                TableScanner again = new TableScanner(tokens, dialect, names);
                again.hoisted = order;
                again.run();
                s = again;
            }
        }
        return new Result(new ArrayList<>(s.found), s.frames.size() == 1 && s.balanced);
    }

    /** Dialects whose sqlglot generator moves nested CTEs to the top (EXPRESSIONS_WITHOUT_NESTED_CTES). */
    private static final Set<Dialect> HOISTING = Set.of(Dialect.TSQL, Dialect.FABRIC, Dialect.HIVE, Dialect.SPARK,
            Dialect.SPARK2, Dialect.DATABRICKS);

    /**
     * The top-level CTE list as sqlglot's {@code move_ctes_to_top_level} leaves it, or null when it moves nothing:
     * the top WITH list first, then each nested list breadth-first (by parenthesis depth, then position), put just
     * before its nearest enclosing CTE or, outside any CTE, at the end. The T-SQL generator applies it to any
     * query, Hive's family only when the query is a SELECT (a set operation's type is not in its list).
     */
    private List<Cte> hoistedOrder() {
        if (!HOISTING.contains(dialect) || withLists.stream().noneMatch(w -> w.depth > 1)
                || rootSetOperation && dialect != Dialect.TSQL && dialect != Dialect.FABRIC) {
            return null;
        }
        List<WithList> lists = new ArrayList<>(withLists);
        lists.sort(java.util.Comparator.comparingInt((WithList w) -> w.depth).thenComparingInt(w -> w.position));
        List<Cte> order = new ArrayList<>();
        for (WithList w : lists) {
            int at = w.parent == null ? -1 : indexOf(order, w.parent);
            if (at < 0) {
                order.addAll(w.ctes);
            } else {
                order.addAll(at, w.ctes);
            }
        }
        return order;
    }

    private void run() {
        frames.push(new Frame(false, null));
        while (i < tokens.size()) {
            step(tokens.get(i));
        }
    }

    private void step(SqlToken t) {
        Frame f = frames.peek();
        if (t.is("(")) {
            openParen(f);
        } else if (t.is(")")) {
            closeParen();
        } else if (f.with != With.NONE) {
            readWithList(f, t);
        } else if (t.is("WITH") && !isTableHint(f)) {
            f.with = With.EXPECT_NAME;
            f.withList = new WithList(frames.size(), i, enclosingCte());
            withLists.add(f.withList);
            i++;
        } else if (t.is("SELECT")) {
            f.sawSelect = true;
            f.inFrom = false;
            i++;
        } else if (isFromKeyword(t, f)) {
            boolean from = t.is("FROM");
            if (from) {
                f.refs = null;
            }
            f.inFrom = true;
            i++;
            readTableRef(from);
        } else if (t.is(",") && f.inFrom) {
            i++;
            readTableRef(false);
        } else {
            if (t.is(Kind.WORD) && CLAUSE_ENDS.contains(t.text().toUpperCase(Locale.ROOT))) {
                f.inFrom = false;
            }
            if (frames.size() == 1 && (t.is("UNION") || t.is("EXCEPT") || t.is("INTERSECT") || t.is("MINUS"))) {
                rootSetOperation = true;
            }
            i++;
        }
    }

    /** {@code WITH [RECURSIVE] name [(columns)] AS [NOT] [MATERIALIZED] (body), ...}. */
    private void readWithList(Frame f, SqlToken t) {
        if (f.with == With.EXPECT_NAME) {
            if (t.is("RECURSIVE")) {
                f.recursive = true;
            } else if (t.isName()) {
                f.pendingCte = fold.apply(t.text());
                if (f.recursive) {
                    f.ctes.add(f.pendingCte);
                }
                f.with = With.EXPECT_AS;
            }
        } else if (f.with == With.EXPECT_AS && t.is("AS")) {
            f.with = With.EXPECT_BODY;
        }
        i++;
    }

    /** T-SQL's {@code FROM t WITH (NOLOCK)} is a hint, not a CTE list. */
    private boolean isTableHint(Frame f) {
        return f.inFrom && i + 1 < tokens.size() && tokens.get(i + 1).is("(");
    }

    private boolean isFromKeyword(SqlToken t, Frame f) {
        if (t.is("JOIN") || t.is("APPLY")) {
            // ClickHouse's ARRAY JOIN unfolds a column, it reads no table
            return i == 0 || !tokens.get(i - 1).is("ARRAY");
        }
        if (!t.is("FROM")) {
            return false;
        }
        SqlToken prev = i > 0 ? tokens.get(i - 1) : null;
        if (prev != null && prev.is("DISTINCT")) {
            return false;
        }
        // EXTRACT(YEAR FROM x), TRIM(x FROM y): FROM inside a function call without a SELECT is no clause
        return !f.functionCall || f.sawSelect;
    }

    private void openParen(Frame f) {
        SqlToken prev = i > 0 ? tokens.get(i - 1) : null;
        if (f.with == With.EXPECT_BODY) {
            Frame body = new Frame(false, f.pendingCte);
            if (f.withList != null) {
                body.cte = new Cte(f.pendingCte, f.withList, i);
                f.withList.ctes.add(body.cte);
            }
            frames.push(body);
            i++;
            return;
        }
        boolean function = prev != null && prev.is(Kind.WORD)
                && !NON_FUNCTION_WORDS.contains(prev.text().toUpperCase(Locale.ROOT));
        Frame child = new Frame(function, null);
        frames.push(child);
        i++;
        boolean fromItem = prev != null && (prev.is("FROM") || prev.is("JOIN") || (prev.is(",") && f.inFrom));
        child.fromItem = fromItem && !function;
        if (fromItem && i < tokens.size() && couldBeTable(tokens.get(i))) {
            // FROM (a JOIN b ON ...): a parenthesised join, whose first item is a table too
            child.inFrom = true;
            readTableRef(true);
        }
    }

    private void closeParen() {
        i++;
        if (frames.size() == 1) {
            balanced = false;
            return;
        }
        Frame closed = frames.pop();
        Frame f = frames.peek();
        if (closed.fromItem && dialect.implicitUnnest()) {
            // a subquery's alias names a FROM item that a later implicit UNNEST may start with (sqlglot's refs)
            String alias = aliasAt(i);
            if (alias != null) {
                if (f.refs == null) {
                    f.refs = new HashSet<>();
                }
                f.refs.add(fold.apply(alias));
            }
        }
        if (closed.cteBody != null) {
            f.ctes.add(closed.cteBody);
            f.pendingCte = null;
            boolean more = i < tokens.size() && tokens.get(i).is(",");
            f.with = more ? With.EXPECT_NAME : With.NONE;
            if (more) {
                i++;
            }
        }
    }

    /**
     * Reads one FROM item: a name (maybe dotted) unless it is a function call, subquery or keyword.
     *
     * @param fromItem whether it is the item right after FROM rather than a joined one
     */
    private void readTableRef(boolean fromItem) {
        int itemStart = i;
        while (i < tokens.size() && (tokens.get(i).is("ONLY") || tokens.get(i).is("FINAL"))) {
            i++;
        }
        skipTempTableHashes();
        if (i >= tokens.size()) {
            return;
        }
        SqlToken first = tokens.get(i);
        boolean duckdb = dialect == Dialect.DUCKDB || dialect == Dialect.MOTHERDUCK;
        if (first.isStringLiteral() && duckdb) {
            // DuckDB reads FROM 'file.parquet' as a table named after the file, and SQLMesh lists it
            String path = first.text().substring(1, first.text().length() - 1);
            addTable('"' + path.replace("\"", "\"\"") + '"');
            i++;
            return;
        }
        if (!couldBeTable(first)) {
            return;
        }
        StringBuilder name = new StringBuilder();
        readDottedName(name);
        if (i < tokens.size() && tokens.get(i).is("(")) {
            return;
        }
        if (dialect.implicitUnnest() && isImplicitUnnest(name.toString(), fromItem, itemStart)) {
            return;
        }
        addTable(name.toString());
    }

    /**
     * sqlglot's {@code _implicit_unnests_to_explicit} (BigQuery, Redshift): a joined item without ON whose first part
     * names an earlier item of the same FROM list ({@code FROM t AS a, a.items}) unfolds a column, it reads no table.
     * Names compare as sqlglot normalises them, which for BigQuery differs between the FROM table (a table name)
     * and the joined item (possibly a column).
     */
    private boolean isImplicitUnnest(String name, boolean first, int itemStart) {
        Frame f = frames.peek();
        String alias = aliasAt(i);
        if (first) {
            f.refs = new HashSet<>();
            f.refs.add(alias != null ? fold.apply(alias) : fold.apply(name));
            return false;
        }
        if (f.refs == null) {
            f.refs = new HashSet<>();
            // the FROM item was no table (a subquery, UNNEST(...)): its alias, if any, ends the text before this item
            String fromAlias = aliasBefore(itemStart - 1);
            f.refs.add(fromAlias == null ? "" : fold.apply(fromAlias));
        }
        int after = alias == null ? i : i + (tokens.get(i).is("AS") ? 2 : 1);
        boolean on = after < tokens.size() && tokens.get(after).is("ON");
        boolean unnest = !on && f.refs.contains(names.foldAsColumn(name, true));
        f.refs.add(alias != null ? fold.apply(alias) : names.foldAsColumn(name, false));
        return unnest;
    }

    /** The alias of a subquery ({@code ) AS a}, {@code ) a}) just before the comma or JOIN at {@code k}, or null. */
    private String aliasBefore(int k) {
        int j = k - 1;
        while (j >= 0 && tokens.get(j).is(Kind.WORD) && JOIN_WORDS.contains(
                tokens.get(j).text().toUpperCase(Locale.ROOT))) {
            j--;
        }
        if (j < 1 || !tokens.get(j).isName()) {
            return null;
        }
        int close = tokens.get(j - 1).is("AS") ? j - 2 : j - 1;
        if (close < 0 || !tokens.get(close).is(")")) {
            return null;
        }
        // sqlglot files UNNEST(...) AS u's alias as a column alias, so an UNNEST has no name to refer to
        int depth = 0;
        for (int p = close; p >= 0; p--) {
            depth += tokens.get(p).is(")") ? 1 : tokens.get(p).is("(") ? -1 : 0;
            if (depth == 0) {
                return p > 0 && tokens.get(p - 1).is("UNNEST") ? null : tokens.get(j).text();
            }
        }
        return null;
    }

    /** The alias written at {@code k} ({@code AS a} or a bare name that is no keyword), or null. */
    private String aliasAt(int k) {
        if (k < tokens.size() && tokens.get(k).is("AS")) {
            return k + 1 < tokens.size() && tokens.get(k + 1).isName() ? tokens.get(k + 1).text() : null;
        }
        if (k >= tokens.size() || !tokens.get(k).isName()) {
            return null;
        }
        SqlToken t = tokens.get(k);
        String word = t.text().toUpperCase(Locale.ROOT);
        boolean keyword = t.is(Kind.WORD) && (NOT_TABLES.contains(word) || CLAUSE_ENDS.contains(word)
                || NOT_ALIASES.contains(word));
        return keyword ? null : t.text();
    }

    /** Whether a token after FROM may start a table name (not a keyword, literal, parenthesis or stage). */
    static boolean couldBeTable(SqlToken t) {
        return t.isName() && !(t.is(Kind.WORD) && NOT_TABLES.contains(t.text().toUpperCase(Locale.ROOT)));
    }

    /** Reads {@code a.b.c} (and BigQuery's {@code my-project.ds.t}); returns the last part. */
    private String readDottedName(StringBuilder name) {
        String last = null;
        while (i < tokens.size()) {
            skipTempTableHashes();
            if (i >= tokens.size()) {
                break;
            }
            SqlToken t = tokens.get(i);
            if (!t.isName() && !(last != null && t.is(Kind.NUMBER))) {
                break;
            }
            name.append(t.text());
            last = t.text();
            i++;
            while (dialect == Dialect.BIGQUERY && i + 1 < tokens.size() && tokens.get(i).is("-")
                    && !tokens.get(i).spaceBefore() && !tokens.get(i + 1).spaceBefore()) {
                name.append('-').append(tokens.get(i + 1).text());
                last = name.substring(name.lastIndexOf(".") + 1);
                i += 2;
            }
            if (dialect == Dialect.BIGQUERY && i < tokens.size() && tokens.get(i).is("*")
                    && !tokens.get(i).spaceBefore()) {
                // wildcard table: dataset.events_*
                name.append('*');
                last = last + "*";
                i++;
                break;
            }
            // a part may start with digits (raw.2024_orders), which the lexer reads as a number
            if (i + 1 < tokens.size() && tokens.get(i).is(".") && !tokens.get(i + 1).spaceBefore()
                    && (tokens.get(i + 1).isName() || tokens.get(i + 1).is(Kind.NUMBER)
                    || dialect.hashTempTables() && tokens.get(i + 1).is("#"))) {
                name.append('.');
                i++;
            } else {
                break;
            }
        }
        return last;
    }

    /** T-SQL's {@code #tmp} / {@code ##tmp}: the hashes are no part of the name SQLMesh lists. */
    private void skipTempTableHashes() {
        for (int n = 0; n < 2 && dialect.hashTempTables() && i + 1 < tokens.size() && tokens.get(i).is("#")
                && (tokens.get(i + 1).isName() || tokens.get(i + 1).is("#")); n++) {
            i++;
        }
    }

    private static int indexOf(List<Cte> ctes, Cte cte) {
        for (int k = 0; k < ctes.size(); k++) {
            if (ctes.get(k).open == cte.open) {
                return k;
            }
        }
        return -1;
    }

    /** The CTE whose body the scan is in, innermost first, or null. */
    private Cte enclosingCte() {
        for (Frame f : frames) {
            if (f.cte != null) {
                return f.cte;
            }
        }
        return null;
    }

    private void addTable(String name) {
        // the whole name: BigQuery's case rule for a table depends on whether it is qualified
        String key = fold.apply(name);
        if (hoisted != null) {
            // after the move, a CTE body sees the CTEs listed before it, the query itself all of them
            Cte in = enclosingCte();
            List<Cte> visible = in == null ? hoisted : hoisted.subList(0, Math.max(0, indexOf(hoisted, in)));
            if (visible.stream().noneMatch(c -> c.name.equals(key))) {
                found.add(name);
            }
            return;
        }
        for (Frame f : frames) {
            if (f.ctes.contains(key)) {
                return;
            }
        }
        found.add(name);
    }
}
