package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.lineage.LexicalRules;
import dev.sqlmeshdag.lineage.LexicalRules.Lexeme;
import dev.sqlmeshdag.parse.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into tokens, keeping exact source offsets so statements can be handed on as written.
 * Only as much SQL is understood as is needed to know where strings, comments, brackets and statements end;
 * where a string, quoted identifier or comment ends is the dialect's {@link LexicalRules}, shared with the
 * lineage lexer.
 */
final class SqlLexer {

    private final String text;
    private final LexicalRules rules;
    private final LineIndex lines;
    private final List<SqlToken> tokens = new ArrayList<>();
    private List<String> pendingComments = new ArrayList<>();
    private int pos;

    private SqlLexer(String text, LexicalRules rules, LineIndex lines) {
        this.text = text;
        this.rules = rules;
        this.lines = lines;
    }

    static List<SqlToken> tokenize(String text, LexicalRules rules, LineIndex lines) throws ParseException {
        if (rules.firstPass() != null) {
            tokenize(text, rules.firstPass(), lines);
        }
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

    /** Whitespace, then comments (kept for the next token), strings and quoted identifiers by the dialect's rules. */
    private void skipSpaceAndComments() throws ParseException {
        while (pos < text.length()) {
            if (Character.isWhitespace(text.charAt(pos))) {
                pos++;
                continue;
            }
            Lexeme lexeme = rules.scan(text, pos);
            if (lexeme == null || lexeme.kind() != LexicalRules.Kind.COMMENT) {
                return;
            }
            if (!lexeme.closed()) {
                String open = text.substring(pos, pos + 2);
                throw new ParseException(pos, "comment '" + open + "' is never closed; add '" + lexeme.close() + "'");
            }
            pendingComments.add(lexeme.value());
            pos = lexeme.end();
        }
    }

    private void readToken() throws ParseException {
        int start = pos;
        char c = text.charAt(pos);
        Lexeme lexeme = rules.scan(text, pos);
        if (lexeme != null) {
            if (lexeme.error() != null) {
                throw new ParseException(start, lexeme.error());
            }
            if (lexeme.kind() == LexicalRules.Kind.OPERATOR) {
                pos = lexeme.end();
                add(Kind.OP, start, null);
                return;
            }
            boolean string = lexeme.kind() == LexicalRules.Kind.STRING;
            if (!lexeme.closed()) {
                throw new ParseException(start, (string ? "string" : "quoted identifier")
                        + " starting here is never closed; add the closing " + lexeme.close());
            }
            pos = lexeme.end();
            add(string ? Kind.STRING : Kind.QUOTED_ID, start, lexeme.value());
        } else if (Character.isDigit(c)) {
            readNumber(start);
        } else if (isWordStart(c) || (c == '@' && pos + 1 < text.length()
                && (isWordStart(text.charAt(pos + 1)) || text.charAt(pos + 1) == '{'))) {
            readWord(start);
        } else {
            readPunctuation(start, c);
        }
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

    private boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_' || c > 127 && !Character.isWhitespace(c) || rules.wordChar(c);
    }

    private boolean isWordPart(char c) {
        return isWordStart(c) || Character.isDigit(c) || c == '$' && rules.dollarInNames();
    }
}
