package dev.sqlmeshdag.sql;

import dev.sqlmeshdag.sql.LexicalRules.Lexeme;
import dev.sqlmeshdag.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's one SQL lexer: splits SQL text into {@link SqlToken}s just finely enough to cut model files into
 * statements, read MODEL blocks, expand macros and find table names. Strings, comments and quoted identifiers are
 * kept whole, ending where the dialect's {@link LexicalRules} (sqlglot's tokenizer) ends them, so nothing inside them
 * is ever mistaken for a keyword, a macro or a name. Every token keeps its offsets, so callers can copy the text
 * between tokens unchanged.
 */
public final class SqlLexer {

    /** sqlglot's two-character operators that matter to a reader of tokens ({@code a := 1}, {@code x::int}). */
    private static final List<String> TWO_CHARACTER_OPERATORS =
            List.of(":=", "::", "=>", "<=", ">=", "<>", "!=", "||");

    private final String text;
    private final LexicalRules rules;
    private final boolean keepComments;
    private final List<SqlToken> tokens = new ArrayList<>();
    private List<String> pendingComments = new ArrayList<>();
    private boolean space;
    private int pos;
    private int problemAt = -1;
    private String problem;

    private SqlLexer(String text, LexicalRules rules, boolean keepComments) {
        this.text = text;
        this.rules = rules;
        this.keepComments = keepComments;
    }

    /**
     * All tokens except comments. Text sqlglot refuses is read on as far as it goes (an unclosed string runs to the
     * end): SQLMesh rejects such a model before its tables matter.
     */
    public static List<SqlToken> tokens(String sql, Dialect dialect) {
        return new SqlLexer(sql, dialect.lexis(), false).run();
    }

    /** All tokens, comments included as {@link Kind#COMMENT} tokens (for rewriting text without touching comments). */
    public static List<SqlToken> tokensWithComments(String sql, Dialect dialect) {
        return new SqlLexer(sql, dialect.lexis(), true).run();
    }

    /** All tokens except comments, or the first place where sqlglot's tokenizer for the dialect refuses the text. */
    public static List<SqlToken> checkedTokens(String sql, Dialect dialect) throws SqlSyntaxException {
        LexicalRules firstPass = dialect.lexis().firstPass();
        if (firstPass != null) {
            new SqlLexer(sql, firstPass, false).runChecked();
        }
        return new SqlLexer(sql, dialect.lexis(), false).runChecked();
    }

    private List<SqlToken> runChecked() throws SqlSyntaxException {
        run();
        if (problem != null) {
            throw new SqlSyntaxException(problemAt, problem);
        }
        return tokens;
    }

    private List<SqlToken> run() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (isSpace(c)) {
                pos++;
                space = true;
            } else {
                read(c);
            }
        }
        return tokens;
    }

    private void read(char c) {
        int start = pos;
        Lexeme lexeme = rules.scan(text, pos);
        if (lexeme != null && lexeme.error() != null) {
            refuse(start, lexeme.error());
            lexeme = null;
        }
        if (lexeme != null) {
            pos = lexeme.end();
            switch (lexeme.kind()) {
                case COMMENT -> comment(start, lexeme);
                case STRING -> string(start, lexeme, Kind.STRING, "string");
                case IDENTIFIER -> string(start, lexeme, Kind.IDENTIFIER, "quoted identifier");
                case OPERATOR -> add(Kind.OP, start, null);
            }
        } else if (Character.isDigit(c)) {
            readNumber(start);
        } else if (c == '@') {
            readMacro(start);
        } else if (isWordStart(c)) {
            while (pos < text.length() && isWordPart(text.charAt(pos))) {
                pos++;
            }
            add(Kind.WORD, start, null);
        } else {
            readPunctuation(start, c);
        }
    }

    private void comment(int start, Lexeme lexeme) {
        if (!lexeme.closed()) {
            refuse(start, "comment '" + text.substring(start, start + 2) + "' is never closed; add '"
                    + lexeme.close() + "'");
        }
        if (keepComments) {
            tokens.add(new SqlToken(Kind.COMMENT, text.substring(start, pos), lexeme.value(), start, pos, space,
                    List.of()));
        }
        pendingComments.add(lexeme.value());
        space = true;
    }

    private void string(int start, Lexeme lexeme, Kind kind, String what) {
        if (!lexeme.closed()) {
            refuse(start, what + " starting here is never closed; add the closing " + lexeme.close());
        }
        add(kind, start, lexeme.value());
    }

    /** sqlglot's number: digits, then at most one fraction; letters glued to it ({@code 2024_orders}) stay with it. */
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

    /** {@code @name}, {@code @{name}} and {@code @@system_var}; the name is read by the macro renderer. */
    private void readMacro(int start) {
        pos++;
        if (pos < text.length() && text.charAt(pos) == '{') {
            int close = text.indexOf('}', pos);
            if (close < 0) {
                refuse(start, "'@{' is never closed; add '}'");
            }
            pos = close < 0 ? text.length() : close + 1;
        } else {
            while (pos < text.length() && (isWordPart(text.charAt(pos)) || text.charAt(pos) == '@')) {
                pos++;
            }
        }
        add(Kind.MACRO, start, null);
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
        if (kind == Kind.OP && pos < text.length() && TWO_CHARACTER_OPERATORS.contains(text.substring(start, pos + 1))) {
            pos++;
        }
        add(kind, start, null);
    }

    private void add(Kind kind, int start, String value) {
        String raw = text.substring(start, pos);
        tokens.add(new SqlToken(kind, raw, value == null ? raw : value, start, pos, space,
                pendingComments.isEmpty() ? List.of() : List.copyOf(pendingComments)));
        pendingComments = new ArrayList<>();
        space = false;
    }

    /** Keeps the first place the text is refused; reading goes on so tolerant callers get every token. */
    private void refuse(int at, String message) {
        if (problem == null) {
            problemAt = at;
            problem = message;
        }
    }

    /**
     * sqlglot reads any character that is no single token of its tokenizer as part of a name: letters, {@code _},
     * any other non-ASCII character, the dialect's extra name characters, and {@code $} where it is no token.
     */
    private boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_' || c > 127 && !isSpace(c) || rules.wordChar(c)
                || c == '$' && rules.dollarInNames();
    }

    /** Python's {@code str.isspace}, which sqlglot's tokenizer asks: a no-break space separates words too. */
    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    private boolean isWordPart(char c) {
        return isWordStart(c) || Character.isDigit(c);
    }
}
