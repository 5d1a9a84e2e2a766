package dev.sqlmeshdag.lineage;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into tokens just finely enough for macro rendering and table scanning: strings, comments and
 * quoted identifiers are kept whole so that nothing inside them is ever mistaken for a keyword, a macro or a name.
 * Every token keeps its offsets, so callers can copy the original text between tokens unchanged. Where a string,
 * quoted identifier or comment ends is the dialect's {@link LexicalRules}, shared with the model-file lexer.
 */
public final class SqlLexer {

    public enum Type { WORD, QUOTED, STRING, NUMBER, MACRO, PUNCT, COMMENT }

    /**
     * @param type  kind of token
     * @param start offset of the first character
     * @param end   offset after the last character
     * @param text  the token exactly as written
     * @param spaceBefore whether whitespace or a comment separates it from the previous token
     */
    public record Token(Type type, int start, int end, String text, boolean spaceBefore) {

        public boolean is(String word) {
            return (type == Type.WORD || type == Type.PUNCT) && text.equalsIgnoreCase(word);
        }

        public boolean isName() {
            return type == Type.WORD || type == Type.QUOTED;
        }
    }

    private final String sql;
    private final Dialect dialect;
    private int pos;

    private SqlLexer(String sql, Dialect dialect) {
        this.sql = sql;
        this.dialect = dialect;
    }

    /** All tokens except comments. */
    public static List<Token> tokens(String sql, Dialect dialect) {
        return new SqlLexer(sql, dialect).run(false);
    }

    /** All tokens, comments included (for rewriting text without touching comments). */
    public static List<Token> tokensWithComments(String sql, Dialect dialect) {
        return new SqlLexer(sql, dialect).run(true);
    }

    private List<Token> run(boolean keepComments) {
        List<Token> out = new ArrayList<>();
        boolean space = false;
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
                space = true;
                continue;
            }
            Token t = next(c, space);
            if (t.type() == Type.COMMENT) {
                space = true;
                if (!keepComments) {
                    continue;
                }
            } else {
                space = false;
            }
            out.add(t);
        }
        return out;
    }

    private Token next(char c, boolean space) {
        int start = pos;
        Type type;
        LexicalRules.Lexeme lexeme = dialect.lexis().scan(sql, pos);
        if (lexeme != null && lexeme.error() == null) {
            // an unclosed one runs to the end of the text; SQLMesh rejects such a model before lineage matters
            pos = lexeme.end();
            type = switch (lexeme.kind()) {
                case COMMENT -> Type.COMMENT;
                // the renderer writes resolved names (@this_model ...) in double quotes whatever the dialect, so a
                // "..." token stays a name here even where the dialect reads it as a string; callers that care
                // about the user's own quotes ask Dialect.quotesIdentifier
                case STRING -> sql.charAt(start) == '"' && !sql.startsWith("\"\"\"", start) ? Type.QUOTED : Type.STRING;
                case IDENTIFIER -> Type.QUOTED;
                case OPERATOR -> Type.PUNCT;
            };
        } else if (Character.isDigit(c) || (c == '.' && Character.isDigit(peek(1)) && !followsName())) {
            skipNumber();
            type = Type.NUMBER;
        } else if (c == '@') {
            skipMacro();
            type = Type.MACRO;
        } else if (isWordStart(c)) {
            skipWord();
            type = Type.WORD;
        } else {
            pos++;
            type = Type.PUNCT;
        }
        return new Token(type, start, pos, sql.substring(start, pos), space);
    }

    private void skipNumber() {
        while (pos < sql.length() && (Character.isLetterOrDigit(sql.charAt(pos)) || sql.charAt(pos) == '.'
                || sql.charAt(pos) == '_')) {
            pos++;
        }
    }

    /** {@code @name}, {@code @{name}} and {@code @@system_var}; the name is read by the macro renderer. */
    private void skipMacro() {
        pos++;
        if (pos < sql.length() && sql.charAt(pos) == '{') {
            int close = sql.indexOf('}', pos);
            pos = close < 0 ? sql.length() : close + 1;
        } else {
            while (pos < sql.length() && (isWordPart(sql.charAt(pos)) || sql.charAt(pos) == '@')) {
                pos++;
            }
        }
    }

    private void skipWord() {
        while (pos < sql.length() && isWordPart(sql.charAt(pos))) {
            pos++;
        }
    }

    /** {@code raw.2024_orders}: a dot right after a name separates name parts, it does not start a number. */
    private boolean followsName() {
        if (pos == 0) {
            return false;
        }
        char prev = sql.charAt(pos - 1);
        return isWordPart(prev) || prev == '"' || prev == '`' || prev == ']';
    }

    private boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_' || c == '$' && dialect.lexis().dollarInNames()
                || dialect.lexis().wordChar(c);
    }

    private boolean isWordPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' && dialect.lexis().dollarInNames()
                || dialect.lexis().wordChar(c);
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < sql.length() ? sql.charAt(i) : '\0';
    }
}
