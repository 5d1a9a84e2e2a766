package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.parse.SqlStatement.Type;
import dev.sqlmeshdag.sql.SqlToken;
import dev.sqlmeshdag.sql.SqlToken.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Cuts a model file into statements the way SQLMesh does: at semicolons outside brackets, with
 * {@code JINJA_QUERY_BEGIN; ... JINJA_END;}, {@code JINJA_STATEMENT_BEGIN; ... JINJA_END;} and
 * {@code ON_VIRTUAL_UPDATE_BEGIN; ... ON_VIRTUAL_UPDATE_END;} kept whole.
 */
final class StatementSplitter {

    static final String JINJA_QUERY_BEGIN = "JINJA_QUERY_BEGIN";
    static final String JINJA_STATEMENT_BEGIN = "JINJA_STATEMENT_BEGIN";
    static final String JINJA_END = "JINJA_END";
    static final String VIRTUAL_BEGIN = "ON_VIRTUAL_UPDATE_BEGIN";
    static final String VIRTUAL_END = "ON_VIRTUAL_UPDATE_END";

    private final String text;
    private final List<SqlToken> tokens;
    private final LineIndex lines;
    private int pos;
    private boolean closedVirtualUpdate;

    private StatementSplitter(String text, List<SqlToken> tokens, LineIndex lines) {
        this.text = text;
        this.tokens = tokens;
        this.lines = lines;
    }

    static List<SqlStatement> split(String text, List<SqlToken> tokens, LineIndex lines) throws ParseException {
        StatementSplitter splitter = new StatementSplitter(text, tokens, lines);
        return splitter.statements(false);
    }

    /** Reads statements until the end of the file, or until {@code ON_VIRTUAL_UPDATE_END;} when inside that block. */
    private List<SqlStatement> statements(boolean insideVirtualUpdate) throws ParseException {
        List<SqlStatement> out = new ArrayList<>();
        List<SqlToken> current = new ArrayList<>();
        Deque<SqlToken> open = new ArrayDeque<>();
        SqlToken semicolonInside = null;
        while (pos < tokens.size()) {
            SqlToken t = tokens.get(pos);
            if (open.isEmpty()) {
                semicolonInside = null;
            } else if (semicolonInside == null && t.is(Kind.SEMICOLON)) {
                semicolonInside = t;
            }
            if (open.isEmpty() && isCommand(VIRTUAL_END)) {
                if (!insideVirtualUpdate) {
                    throw new ParseException(t, VIRTUAL_END + " without a matching " + VIRTUAL_BEGIN
                            + "; add '" + VIRTUAL_BEGIN + ";' before the statements it closes, or remove it");
                }
                flush(out, current);
                pos += 2;
                closedVirtualUpdate = true;
                return out;
            } else if (open.isEmpty() && (isCommand(JINJA_QUERY_BEGIN) || isCommand(JINJA_STATEMENT_BEGIN))) {
                flush(out, current);
                out.add(jinjaBlock(isCommand(JINJA_QUERY_BEGIN) ? Type.JINJA_QUERY : Type.JINJA_STATEMENT));
            } else if (open.isEmpty() && isCommand(VIRTUAL_BEGIN)) {
                flush(out, current);
                out.add(virtualUpdate());
            } else if (open.isEmpty() && t.is(Kind.SEMICOLON)) {
                flush(out, current);
                pos++;
            } else {
                track(open, t);
                current.add(t);
                pos++;
            }
        }
        if (!open.isEmpty()) {
            SqlToken unclosed = open.peek();
            throw new ParseException(unclosed, "'" + unclosed.text() + "' is never closed; add the missing '"
                    + (unclosed.is(Kind.LPAREN) ? ")" : "]") + "'" + (semicolonInside == null ? ""
                    : " (the ';' at line " + lines.line(semicolonInside.start()) + ", column " + lines.col(semicolonInside.start())
                    + " is inside it)"));
        }
        flush(out, current);
        return out;
    }

    /**
     * SQLMesh's parser (sqlglot) recurses for every nesting level and Python stops at 1,000 frames, so SQLMesh 0.236.4
     * fails with "maximum recursion depth exceeded" from 24 nested CASE expressions, 39 function calls, 44
     * parentheses or 80 subqueries (measured). From 80 levels every such query fails; fewer may still load.
     */
    static final int MAX_NESTING = 80;

    private void track(Deque<SqlToken> open, SqlToken t) throws ParseException {
        if (t.opens()) {
            open.push(t);
            if (open.size() == MAX_NESTING) {
                throw new ParseException(open.getLast(), "brackets are nested " + MAX_NESTING + " deep from here; "
                        + "SQLMesh cannot parse a query nested this deeply (its parser exceeds Python's recursion "
                        + "limit, 'maximum recursion depth exceeded'), flatten it with CTEs");
            }
        } else if (t.closes()) {
            if (open.isEmpty()) {
                throw new ParseException(t, "'" + t.text() + "' has no matching '" + (t.is(Kind.RPAREN) ? "(" : "[")
                        + "'; remove it or add the missing opening bracket");
            }
            SqlToken opener = open.pop();
            boolean matches = opener.is(Kind.LPAREN) == t.is(Kind.RPAREN);
            if (!matches) {
                throw new ParseException(t, "'" + t.text() + "' closes the '" + opener.text() + "' opened at line "
                        + lines.line(opener.start()) + ", column " + lines.col(opener.start()) + "; use '"
                        + (opener.is(Kind.LPAREN) ? ")" : "]") + "' there");
            }
        }
    }

    private SqlStatement jinjaBlock(Type type) throws ParseException {
        int beginIndex = pos;
        SqlToken begin = tokens.get(pos);
        int bodyStart = tokens.get(pos + 1).end();
        int i = pos + 2;
        while (i < tokens.size() && !tokens.get(i).is(JINJA_END)) {
            i++;
        }
        if (i >= tokens.size()) {
            throw new ParseException(begin, begin.text() + " has no matching " + JINJA_END
                    + "; add '" + JINJA_END + ";' after the Jinja block");
        }
        SqlToken end = tokens.get(i);
        boolean endHasSemicolon = i + 1 < tokens.size() && tokens.get(i + 1).is(Kind.SEMICOLON);
        pos = endHasSemicolon ? i + 2 : i + 1;
        String body = text.substring(bodyStart, end.start()).strip();
        String whole = text.substring(begin.start(), end.end());
        return new SqlStatement(type, tokens.subList(beginIndex, i + 1),
                type == Type.JINJA_QUERY ? body : whole);
    }

    private SqlStatement virtualUpdate() throws ParseException {
        SqlToken begin = tokens.get(pos);
        pos += 2;
        int firstToken = pos - 2;
        closedVirtualUpdate = false;
        statements(true);
        if (!closedVirtualUpdate) {
            throw new ParseException(begin, VIRTUAL_BEGIN + " has no matching " + VIRTUAL_END
                    + "; add '" + VIRTUAL_END + ";' after its statements");
        }
        closedVirtualUpdate = false;
        int endToken = pos - 1;
        return new SqlStatement(Type.VIRTUAL_UPDATE, tokens.subList(firstToken, endToken + 1),
                text.substring(begin.start(), tokens.get(endToken).end()));
    }

    /** A marker word directly followed by a semicolon, as SQLMesh recognises block markers. */
    private boolean isCommand(String word) {
        return pos + 1 < tokens.size() && tokens.get(pos).is(word) && tokens.get(pos + 1).is(Kind.SEMICOLON);
    }

    private void flush(List<SqlStatement> out, List<SqlToken> current) {
        if (!current.isEmpty()) {
            String sql = text.substring(current.get(0).start(), current.get(current.size() - 1).end());
            out.add(new SqlStatement(Type.SQL, List.copyOf(current), sql));
            current.clear();
        }
    }
}
