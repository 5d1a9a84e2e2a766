package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.Property;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.core.PropertyValue.Call;
import dev.sqlmeshdag.core.PropertyValue.Scalar;
import dev.sqlmeshdag.parse.SqlStatement.Type;
import dev.sqlmeshdag.sql.Dialect;
import dev.sqlmeshdag.sql.SqlToken;
import dev.sqlmeshdag.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits a SQL model file into its MODEL block, statements and query. */
public final class SqlModelParser {

    /** The model's own {@code dialect}, found before tokenizing because it decides how quotes and comments work. */
    private static final Pattern MODEL_DIALECT = Pattern.compile(
            "\\bmodel\\s*\\(.*?[(,](?:\\s|--[^\\n]*\\n|/\\*.*?\\*/)*dialect(?:\\s|--[^\\n]*\\n|/\\*.*?\\*/)+"
                    + "['\"]?([a-z][a-z0-9]*)['\"]?(?:\\s|--[^\\n]*\\n|/\\*.*?\\*/)*(?=[,)])",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final int DIALECT_SCAN_LIMIT = 10_000;

    private final String file;
    private final String text;
    private final LineIndex lines;
    private final Problems problems;

    private SqlModelParser(String file, String text, Problems problems) {
        this.file = file;
        this.text = text;
        this.lines = new LineIndex(file, text);
        this.problems = problems;
    }

    /**
     * @param file path relative to the project root (used in locations)
     * @return one ModelSource, or one per blueprint entry; empty when the file has errors (recorded in problems)
     */
    public static List<ModelSource> parse(String file, String text, Problems problems) {
        return parse(file, text, null, problems);
    }

    /**
     * @param defaultDialect the project's {@code model_defaults.dialect}, used for quoting rules when the model
     *                       names no dialect of its own; null for ANSI rules
     */
    public static List<ModelSource> parse(String file, String text, String defaultDialect, Problems problems) {
        SqlModelParser parser = new SqlModelParser(file, text, problems);
        try {
            return parser.run(defaultDialect);
        } catch (ParseException e) {
            problems.error(parser.lines.at(e.offset), e.getMessage());
            return List.of();
        } catch (RuntimeException e) {
            // A reader bug must cost one model with a clear pointer, not the whole project run.
            problems.error(new Location(file, 1, 1), "this model file could not be read (" + e
                    + "); please report it together with the file");
            return List.of();
        }
    }

    private List<ModelSource> run(String defaultDialect) throws ParseException {
        int binary = TextCheck.firstBinaryChar(text);
        if (binary >= 0) {
            throw new ParseException(binary, TextCheck.binaryMessage(text, binary));
        }
        List<SqlStatement> statements = statements(dialect(defaultDialect));
        if (statements.isEmpty()) {
            throw new ParseException(0, "the file has no MODEL block and no query; add "
                    + "MODEL (name db.table, kind FULL); followed by a SELECT");
        }
        SqlStatement first = statements.get(0);
        boolean hasBlock = isBlock(first, "MODEL");
        for (SqlStatement s : statements.subList(1, statements.size())) {
            if (isBlock(s, "MODEL")) {
                throw new ParseException(s.first(), "the MODEL block must be the first statement in the file; "
                        + "move it to the top");
            }
        }
        Map<String, Property> properties = hasBlock ? readBlock(first) : new LinkedHashMap<>();
        List<SqlStatement> body = statements.subList(hasBlock ? 1 : 0, statements.size());
        ModelSource model = assemble(first.first(), properties, body);
        return expandBlueprints(model);
    }

    private Dialect dialect(String defaultDialect) {
        Matcher m = MODEL_DIALECT.matcher(text.substring(0, Math.min(text.length(), DIALECT_SCAN_LIMIT)));
        // an unknown dialect is reported when the model is assembled; sqlglot's own rules stand in until then
        return Dialect.of(m.find() ? m.group(1) : defaultDialect).orElse(Dialect.GENERIC);
    }

    private List<SqlStatement> statements(Dialect dialect) throws ParseException {
        return StatementSplitter.split(text, ModelTokens.read(text, dialect), lines);
    }

    /** {@code MODEL (...)} / {@code AUDIT (...)}: the keyword, then one parenthesised block and nothing else. */
    private static boolean isBlock(SqlStatement s, String keyword) {
        List<SqlToken> t = s.tokens();
        return s.type() == Type.SQL && t.size() >= 2 && t.get(0).is(keyword) && t.get(1).is(Kind.LPAREN);
    }

    private Map<String, Property> readBlock(SqlStatement block) throws ParseException {
        List<SqlToken> t = block.tokens();
        int close = ModelBlockReader.matching(t, 1);
        if (close != t.size() - 1) {
            throw new ParseException(t.get(close + 1), "unexpected '" + t.get(close + 1).text()
                    + "' after the MODEL block; end the block with ';'");
        }
        Map<String, Property> properties = new ModelBlockReader(text, lines, problems).read(t.subList(2, close));
        String description = leadingComment(t.get(0));
        if (description != null && !properties.containsKey("description")) {
            // SQLMesh takes the comment above MODEL as the description when none is given.
            properties.put("description", new Property("description", new Scalar(description, true),
                    lines.at(t.get(0).start())));
        }
        return properties;
    }

    private static String leadingComment(SqlToken modelKeyword) {
        List<String> comments = modelKeyword.comments().stream().map(String::strip).toList();
        return comments.isEmpty() ? null : String.join("\n", comments);
    }

    private ModelSource assemble(SqlToken start, Map<String, Property> properties, List<SqlStatement> body)
            throws ParseException {
        List<SqlStatement> statements = new ArrayList<>();
        List<SqlStatement> queries = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            SqlStatement s = body.get(i);
            if (isBlock(s, "AUDIT")) {
                // An inline audit owns the statement after it as its query.
                if (i + 1 >= body.size()) {
                    throw new ParseException(s.first(), "the inline AUDIT block needs its query after it; "
                            + "add a SELECT that returns the bad rows");
                }
                i++;
            } else if (s.type() != Type.VIRTUAL_UPDATE) {
                refuseJinjaOutsideBlock(s);
                if (isQuery(s, body.size() == 1)) {
                    queries.add(s);
                }
                statements.add(s);
            }
        }
        if (queries.size() > 1) {
            SqlToken firstQuery = queries.get(0).first();
            throw new ParseException(queries.get(1).first(), "only one query is allowed per model and the query at "
                    + "line " + lines.line(firstQuery.start()) + ", column " + lines.col(firstQuery.start()) + " is already this model's query; "
                    + "move this SELECT into its own model or remove it");
        }
        if (queries.isEmpty() && needsQuery(properties)) {
            throw new ParseException(start, "the model has no query; add a SELECT statement (or a "
                    + "JINJA_QUERY_BEGIN; ... JINJA_END; block) after the MODEL block");
        }
        SqlStatement query = queries.isEmpty() ? null : queries.get(0);
        int at = query == null ? statements.size() : statements.indexOf(query);
        return new ModelSource(file, lines.at(start.start()), false, properties,
                texts(statements.subList(0, at)), query == null ? null : query.text(),
                query == null ? null : queryLocation(query),
                texts(statements.subList(Math.min(at + 1, statements.size()), statements.size())),
                Map.of(), List.of(), query != null && query.type() == Type.JINJA_QUERY);
    }

    /**
     * SQLMesh renders Jinja only inside JINJA_QUERY_BEGIN / JINJA_STATEMENT_BEGIN blocks; elsewhere sqlglot reads
     * {@code {%} or {@code {{} as SQL and fails, so SQLMesh refuses the file.
     */
    private static void refuseJinjaOutsideBlock(SqlStatement s) throws ParseException {
        if (s.type() != Type.SQL) {
            return;
        }
        List<SqlToken> t = s.tokens();
        for (int i = 0; i + 1 < t.size(); i++) {
            SqlToken a = t.get(i);
            SqlToken b = t.get(i + 1);
            if (a.text().equals("{") && a.end() == b.start() && (b.text().startsWith("%") || b.text().startsWith("{"))) {
                throw new ParseException(a, "Jinja '{" + b.text().charAt(0) + "' outside a Jinja block: SQLMesh "
                        + "reads this statement as SQL and cannot parse it; put the query between "
                        + "JINJA_QUERY_BEGIN; and JINJA_END; (or use SQLMesh macros such as @IF)");
            }
        }
    }

    private Location queryLocation(SqlStatement query) {
        // A Jinja query starts after "JINJA_QUERY_BEGIN ;"
        List<SqlToken> t = query.tokens();
        SqlToken first = query.type() == Type.JINJA_QUERY && t.size() > 3 ? t.get(2) : t.get(0);
        return lines.at(first.start());
    }

    /** Seed models load from CSV; a kind written as a macro is only known after rendering, so it is not judged. */
    private static boolean needsQuery(Map<String, Property> properties) {
        Property kind = properties.get("kind");
        if (kind == null) {
            return true;
        }
        PropertyValue v = kind.value();
        String name = v instanceof Call c ? c.name() : v.text();
        return !name.equalsIgnoreCase("SEED") && !name.startsWith("@");
    }

    /**
     * SQLMesh's rule: a SELECT (including WITH ... SELECT, FROM-first and parenthesised set operations), a Jinja
     * query, {@code @UNION(...)}, {@code @INSERT_SEED()}, or any macro call when it is the file's only statement.
     */
    private static boolean isQuery(SqlStatement s, boolean onlyStatement) {
        if (s.type() == Type.JINJA_QUERY) {
            return true;
        }
        if (s.type() != Type.SQL) {
            return false;
        }
        List<SqlToken> t = s.tokens();
        SqlToken first = t.get(0);
        if (first.is(Kind.WORD) && first.text().startsWith("@") && first.text().length() > 1) {
            boolean call = t.size() >= 2 && t.get(1).is(Kind.LPAREN) && ModelBlockReader.matching(t, 1) == t.size() - 1;
            String macro = first.text().substring(1).toLowerCase(Locale.ROOT);
            return call && (macro.equals("union") || macro.equals("insert_seed") || onlyStatement);
        }
        return startsQuery(t, 0);
    }

    private static boolean startsQuery(List<SqlToken> t, int from) {
        SqlToken first = t.get(from);
        if (first.is("SELECT") || first.is("FROM")) {
            return true;
        }
        if (first.is(Kind.LPAREN)) {
            return from + 1 < t.size() && startsQuery(t, from + 1);
        }
        return first.is("WITH") && mainStatementAfterCtes(t, from) != null
                && startsQuery(t, mainStatementAfterCtes(t, from));
    }

    /** In {@code WITH a AS (...), b AS (...) <statement>}, the index where {@code <statement>} begins. */
    private static Integer mainStatementAfterCtes(List<SqlToken> t, int with) {
        for (int i = with + 1; i < t.size(); i++) {
            if (t.get(i).is(Kind.LPAREN)) {
                int close = ModelBlockReader.matching(t, i);
                // "name AS (...)" or "name AS [NOT] MATERIALIZED (...)": a CTE body, not a column list.
                boolean cteBody = t.get(i - 1).is("AS") || t.get(i - 1).is("MATERIALIZED");
                if (cteBody && close + 1 < t.size() && !t.get(close + 1).is(Kind.COMMA)) {
                    return close + 1;
                }
                i = close;
            }
        }
        return null;
    }

    private static List<String> texts(List<SqlStatement> statements) {
        return statements.stream().map(SqlStatement::text).toList();
    }

    private List<ModelSource> expandBlueprints(ModelSource model) throws ParseException {
        Property blueprints = model.properties().get("blueprints");
        if (blueprints == null) {
            return List.of(model);
        }
        List<Map<String, PropertyValue>> entries;
        try {
            entries = Blueprints.entries(blueprints.value());
        } catch (IllegalArgumentException e) {
            Location at = blueprints.location();
            problems.error(at, e.getMessage());
            return List.of();
        }
        return entries.stream().map(vars -> withVariables(model, vars)).toList();
    }

    static ModelSource withVariables(ModelSource m, Map<String, PropertyValue> vars) {
        return new ModelSource(m.file(), m.location(), m.python(), m.properties(), m.preStatements(), m.query(),
                m.queryLocation(), m.postStatements(), Map.copyOf(vars), m.dependencies(), m.jinja());
    }
}
