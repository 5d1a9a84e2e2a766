package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.parse.PyToken.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Tokenizes Python source just far enough to read decorators, calls and literals without running anything:
 * strings (prefixed, triple-quoted, f-strings), comments, brackets, line continuations and logical lines.
 */
public final class PyLexer {

    private static final String[] THREE_CHAR_OPS = {"**=", "//=", ">>=", "<<=", "...", "!=="};
    private static final String[] TWO_CHAR_OPS = {"**", "//", "==", "!=", "<=", ">=", "->", ":=", "+=", "-=", "*=",
        "/=", "%=", "&=", "|=", "^=", "<<", ">>", "@="};

    private final String text;
    private final LineIndex lines;
    private final List<PyToken> tokens = new ArrayList<>();
    private int pos;
    private int depth;
    private final java.util.Deque<PyToken> open = new java.util.ArrayDeque<>();

    private PyLexer(String text, LineIndex lines) {
        this.text = text;
        this.lines = lines;
    }

    /** Tokens with a NEWLINE token ending each logical line (newlines inside brackets do not count). */
    public static List<PyToken> tokenize(String text) throws ParseException {
        return tokenize(text, new LineIndex("", text));
    }

    static List<PyToken> tokenize(String text, LineIndex lines) throws ParseException {
        PyLexer lexer = new PyLexer(text, lines);
        lexer.run();
        return lexer.tokens;
    }

    private void run() throws ParseException {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                if (depth == 0 && !tokens.isEmpty() && tokens.get(tokens.size() - 1).kind() != Kind.NEWLINE) {
                    add(Kind.NEWLINE, pos, pos + 1, "\n", false);
                }
                pos++;
            } else if (c == '\\' && pos + 1 < text.length() && (text.charAt(pos + 1) == '\n'
                    || text.startsWith("\r\n", pos + 1))) {
                pos += text.charAt(pos + 1) == '\n' ? 2 : 3;
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (stringPrefixLength() >= 0) {
                readString();
            } else if (Character.isDigit(c) || (c == '.' && pos + 1 < text.length()
                    && Character.isDigit(text.charAt(pos + 1)))) {
                readNumber();
            } else if (Character.isLetter(c) || c == '_' || c > 127) {
                int start = pos;
                while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos))
                        || text.charAt(pos) == '_' || text.charAt(pos) > 127)) {
                    pos++;
                }
                add(Kind.NAME, start, pos, null, false);
            } else {
                readOperator();
            }
        }
        if (!open.isEmpty()) {
            PyToken unclosed = open.peek();
            throw new ParseException(unclosed.start(), "'" + unclosed.text() + "' is never closed; add the missing '"
                    + closer(unclosed.text().charAt(0)) + "'");
        }
        if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).kind() != Kind.NEWLINE) {
            add(Kind.NEWLINE, pos, pos, "\n", false);
        }
    }

    private static char closer(char opener) {
        return opener == '(' ? ')' : opener == '[' ? ']' : '}';
    }

    /** Length of a string prefix (r, b, f, rb, fr...) before a quote at pos, or -1 when no string starts here. */
    private int stringPrefixLength() {
        int i = pos;
        while (i < text.length() && i - pos < 2 && "rRbBfFuU".indexOf(text.charAt(i)) >= 0) {
            i++;
        }
        if (i < text.length() && (text.charAt(i) == '\'' || text.charAt(i) == '"')) {
            return i - pos;
        }
        return -1;
    }

    private void readString() throws ParseException {
        int start = pos;
        String prefix = text.substring(pos, pos + stringPrefixLength()).toLowerCase();
        pos += prefix.length();
        char q = text.charAt(pos);
        String close = text.startsWith(String.valueOf(q).repeat(3), pos) ? String.valueOf(q).repeat(3)
                : String.valueOf(q);
        pos += close.length();
        boolean raw = prefix.contains("r");
        boolean fString = prefix.contains("f");
        int fieldDepth = 0;
        StringBuilder value = new StringBuilder();
        while (true) {
            if (pos >= text.length() || (close.length() == 1 && text.charAt(pos) == '\n' && fieldDepth == 0)) {
                throw new ParseException(start, "string starting here is never closed; add the closing " + close);
            }
            char c = text.charAt(pos);
            if (fString && (c == '{' || c == '}') && fieldDepth == 0 && text.startsWith(c + "" + c, pos)) {
                value.append(c).append(c);
                pos += 2;
            } else if (fString && (c == '{' || (c == '}' && fieldDepth > 0))) {
                fieldDepth += c == '{' ? 1 : -1;
                value.append(c);
                pos++;
            } else if (fieldDepth > 0 && (c == '\'' || c == '"')) {
                // Python 3.12 lets replacement fields reuse the outer quote: f"{context.var("x")}"
                int end = text.indexOf(c, pos + 1);
                int stop = end < 0 ? text.length() : end + 1;
                value.append(text, pos, stop);
                pos = stop;
            } else if (c == '\\' && pos + 1 < text.length()) {
                value.append(raw || prefix.contains("f") ? text.substring(pos, pos + 2) : unescape(text.charAt(pos + 1)));
                pos += 2;
            } else if (text.startsWith(close, pos)) {
                pos += close.length();
                break;
            } else {
                value.append(c);
                pos++;
            }
        }
        add(Kind.STRING, start, pos, value.toString(), prefix.contains("f"));
    }

    private static String unescape(char c) {
        return switch (c) {
            case 'n' -> "\n";
            case 't' -> "\t";
            case 'r' -> "\r";
            case '0' -> "\0";
            case '\n' -> "";
            default -> String.valueOf(c);
        };
    }

    private void readNumber() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_'
                || text.charAt(pos) == '.' || isExponentSign(start))) {
            pos++;
        }
        add(Kind.NUMBER, start, pos, null, false);
    }

    /** The sign of {@code 1e-5} belongs to the number; in {@code 0x1e-5} it is a subtraction. */
    private boolean isExponentSign(int start) {
        char c = text.charAt(pos);
        char before = text.charAt(pos - 1);
        boolean hex = pos - start > 1 && (text.charAt(start + 1) == 'x' || text.charAt(start + 1) == 'X');
        return (c == '-' || c == '+') && (before == 'e' || before == 'E') && !hex
                && pos + 1 < text.length() && Character.isDigit(text.charAt(pos + 1));
    }

    private void readOperator() throws ParseException {
        int start = pos;
        int length = 1;
        for (String op : THREE_CHAR_OPS) {
            if (text.startsWith(op, pos)) {
                length = 3;
            }
        }
        for (String op : TWO_CHAR_OPS) {
            if (length == 1 && text.startsWith(op, pos)) {
                length = 2;
            }
        }
        pos += length;
        char c = text.charAt(start);
        add(Kind.OP, start, pos, null, false);
        PyToken token = tokens.get(tokens.size() - 1);
        if (length == 1 && "([{".indexOf(c) >= 0) {
            depth++;
            open.push(token);
        } else if (length == 1 && ")]}".indexOf(c) >= 0) {
            if (open.isEmpty()) {
                throw new ParseException(start, "'" + c + "' has no matching opening bracket; remove it");
            }
            PyToken opener = open.pop();
            if (closer(opener.text().charAt(0)) != c) {
                throw new ParseException(start, "'" + c + "' closes the '" + opener.text() + "' opened at line "
                        + opener.line() + ", column " + opener.col() + "; use '" + closer(opener.text().charAt(0))
                        + "' there");
            }
            depth--;
        }
    }

    private void add(Kind kind, int start, int end, String value, boolean fString) {
        String raw = text.substring(start, end);
        tokens.add(new PyToken(kind, raw, value == null ? raw : value, fString, start, end, lines.line(start),
                lines.col(start)));
    }
}
