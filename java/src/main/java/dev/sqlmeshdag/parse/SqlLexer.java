package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.parse.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into tokens, keeping exact source offsets so statements can be handed on as written.
 * Only as much SQL is understood as is needed to know where strings, comments, brackets and statements end.
 */
final class SqlLexer {

    private final String text;
    private final SqlLexRules rules;
    private final LineIndex lines;
    private final List<SqlToken> tokens = new ArrayList<>();
    private List<String> pendingComments = new ArrayList<>();
    private int pos;

    private SqlLexer(String text, SqlLexRules rules, LineIndex lines) {
        this.text = text;
        this.rules = rules;
        this.lines = lines;
    }

    static List<SqlToken> tokenize(String text, SqlLexRules rules, LineIndex lines) throws ParseException {
        SqlLexer lexer = new SqlLexer(text, rules, lines);
        lexer.run();
        return lexer.tokens;
    }

    private void run() throws ParseException {
        while (true) {
            skipSpaceAndComments();
            if (pos >= text.length()) {
                return;
            }
            readToken();
        }
    }

    private void skipSpaceAndComments() throws ParseException {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (startsWith("--") || (rules.hashComments() && c == '#' && !startsWith("#}"))
                    || (rules.slashComments() && startsWith("//"))) {
                int start = pos + (c == '-' || c == '/' ? 2 : 1);
                int nl = text.indexOf('\n', pos);
                pos = nl < 0 ? text.length() : nl;
                pendingComments.add(text.substring(start, pos));
            } else if (startsWith("/*")) {
                blockComment("/*", "*/", rules.nestedComments());
            } else if (startsWith("{#")) {
                blockComment("{#", "#}", false);
            } else {
                return;
            }
        }
    }

    private void blockComment(String open, String close, boolean nests) throws ParseException {
        int start = pos;
        int depth = 0;
        while (pos < text.length()) {
            if (startsWith(open) && (nests || depth == 0)) {
                depth++;
                pos += open.length();
            } else if (startsWith(close)) {
                depth--;
                pos += close.length();
                if (depth == 0) {
                    pendingComments.add(text.substring(start + open.length(), pos - close.length()));
                    return;
                }
            } else {
                pos++;
            }
        }
        throw new ParseException(start, "comment '" + open + "' is never closed; add '" + close + "'");
    }

    private void readToken() throws ParseException {
        int start = pos;
        char c = text.charAt(pos);
        Character idClose = rules.identifierQuotes().get(c);
        if (c == '\'' || (c == '"' && rules.doubleQuotedStrings())) {
            readString(start, c);
        } else if (idClose != null) {
            readQuotedIdentifier(start, idClose);
        } else if (c == '$' && rules.dollarQuoted() && dollarTag() != null) {
            readDollarString(start, dollarTag());
        } else if (isPrefixedString(c)) {
            pos++;
            readString(start, text.charAt(pos));
        } else if (Character.isDigit(c)) {
            readNumber(start);
        } else if (isWordStart(c) || (c == '@' && pos + 1 < text.length()
                && (isWordStart(text.charAt(pos + 1)) || text.charAt(pos + 1) == '{'))) {
            readWord(start);
        } else {
            readPunctuation(start, c);
        }
    }

    /** {@code E'..'}, {@code N'..'}, {@code r'..'} and friends: a letter glued to a quote is still one string. */
    private boolean isPrefixedString(char c) {
        if (pos + 1 >= text.length() || "eEnNbBxXrRuU".indexOf(c) < 0) {
            return false;
        }
        char next = text.charAt(pos + 1);
        return next == '\'' || (next == '"' && rules.doubleQuotedStrings());
    }

    private void readString(int start, char quote) throws ParseException {
        boolean triple = rules.tripleQuoted() && text.startsWith(String.valueOf(quote).repeat(3), pos);
        String close = triple ? String.valueOf(quote).repeat(3) : String.valueOf(quote);
        pos += close.length();
        StringBuilder value = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\\' && rules.backslashEscapes() && pos + 1 < text.length()) {
                value.append(text.charAt(pos + 1));
                pos += 2;
            } else if (!triple && c == quote && pos + 1 < text.length() && text.charAt(pos + 1) == quote) {
                value.append(quote);
                pos += 2;
            } else if (text.startsWith(close, pos)) {
                pos += close.length();
                add(Kind.STRING, start, value.toString());
                return;
            } else {
                value.append(c);
                pos++;
            }
        }
        throw new ParseException(start, "string starting here is never closed; add the closing " + close);
    }

    private void readQuotedIdentifier(int start, char close) throws ParseException {
        pos++;
        StringBuilder value = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == close && pos + 1 < text.length() && text.charAt(pos + 1) == close) {
                value.append(close);
                pos += 2;
            } else if (c == close) {
                pos++;
                add(Kind.QUOTED_ID, start, value.toString());
                return;
            } else {
                value.append(c);
                pos++;
            }
        }
        throw new ParseException(start, "quoted identifier starting here is never closed; add the closing " + close);
    }

    /** The {@code $tag$} opening at pos, or null when the dollar sign is something else ({@code $1}). */
    private String dollarTag() {
        int i = pos + 1;
        while (i < text.length() && (Character.isLetter(text.charAt(i)) || text.charAt(i) == '_')) {
            i++;
        }
        return i < text.length() && text.charAt(i) == '$' ? text.substring(pos, i + 1) : null;
    }

    private void readDollarString(int start, String tag) throws ParseException {
        int close = text.indexOf(tag, pos + tag.length());
        if (close < 0) {
            throw new ParseException(start, "string starting with " + tag + " is never closed; add the closing " + tag);
        }
        pos = close + tag.length();
        add(Kind.STRING, start, text.substring(start + tag.length(), close));
    }

    private void readNumber(int start) {
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        if (pos + 1 < text.length() && text.charAt(pos) == '.' && Character.isDigit(text.charAt(pos + 1))) {
            pos++;
            while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
                pos++;
            }
        }
        add(Kind.NUMBER, start, null);
    }

    /**
     * Words include macro references: {@code @var}, {@code @func} and {@code @{var}} interpolations glued to
     * ordinary identifier characters ({@code customer_@{id}}) so a templated name stays one unit.
     */
    private void readWord(int start) throws ParseException {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '@' && pos + 1 < text.length() && text.charAt(pos + 1) == '{') {
                int close = text.indexOf('}', pos);
                if (close < 0) {
                    throw new ParseException(pos, "'@{' is never closed; add '}'");
                }
                pos = close + 1;
            } else if (c == '@' && pos == start) {
                pos++;
            } else if (isWordPart(c)) {
                pos++;
            } else {
                break;
            }
        }
        add(Kind.WORD, start, null);
    }

    private void readPunctuation(int start, char c) {
        Kind kind = switch (c) {
            case '(' -> Kind.LPAREN;
            case ')' -> Kind.RPAREN;
            case '[' -> Kind.LBRACKET;
            case ']' -> Kind.RBRACKET;
            case ',' -> Kind.COMMA;
            case ';' -> Kind.SEMICOLON;
            case '.' -> Kind.DOT;
            default -> Kind.OP;
        };
        pos++;
        if (kind == Kind.OP && pos < text.length()) {
            String two = text.substring(start, pos + 1);
            if (two.equals(":=") || two.equals("::") || two.equals("=>") || two.equals("<=") || two.equals(">=")
                    || two.equals("<>") || two.equals("!=") || two.equals("||")) {
                pos++;
            }
        }
        add(kind, start, null);
    }

    private void add(Kind kind, int start, String value) {
        String raw = text.substring(start, pos);
        tokens.add(new SqlToken(kind, raw, value == null ? raw : value, start, pos, lines.line(start),
                lines.col(start), List.copyOf(pendingComments)));
        pendingComments = new ArrayList<>();
    }

    private boolean startsWith(String s) {
        return text.startsWith(s, pos);
    }

    private static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_' || c > 127 && !Character.isWhitespace(c);
    }

    private static boolean isWordPart(char c) {
        return isWordStart(c) || Character.isDigit(c) || c == '$';
    }
}
