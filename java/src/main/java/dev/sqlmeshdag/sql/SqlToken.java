package dev.sqlmeshdag.sql;

import java.util.List;

/**
 * One lexical unit of SQL text, as {@link SqlLexer} reads it in a {@link Dialect}.
 *
 * @param kind        what it is
 * @param text        the source text exactly as written
 * @param value       the content of a string or quoted identifier as sqlglot reads it (quotes removed, escapes
 *                    resolved), of a comment without its markers; else the text
 * @param start       offset of its first character
 * @param end         offset just past its last character
 * @param spaceBefore whether whitespace or a comment separates it from the previous token
 * @param comments    the comments written between the previous token and this one, without their markers
 */
public record SqlToken(Kind kind, String text, String value, int start, int end, boolean spaceBefore,
                       List<String> comments) {

    public enum Kind {
        /** An unquoted name or keyword. */
        WORD,
        /** A SQLMesh macro reference: {@code @name}, {@code @{name}}, {@code @@system_var}, a lone {@code @}. */
        MACRO,
        /** A name in the dialect's identifier quotes. */
        IDENTIFIER,
        /** A string literal of any kind (raw, byte, national, heredoc ...). */
        STRING,
        NUMBER,
        LPAREN, RPAREN, LBRACKET, RBRACKET, COMMA, SEMICOLON, DOT,
        /** Any other punctuation or operator. */
        OP,
        /** Only in {@link SqlLexer#tokensWithComments}. */
        COMMENT
    }

    public boolean is(Kind k) {
        return kind == k;
    }

    /** A keyword or a punctuation mark, compared case-insensitively as SQL keywords are. */
    public boolean is(String word) {
        return (kind == Kind.WORD || isPunctuation()) && text.equalsIgnoreCase(word);
    }

    public boolean isPunctuation() {
        return switch (kind) {
            case LPAREN, RPAREN, LBRACKET, RBRACKET, COMMA, SEMICOLON, DOT, OP -> true;
            default -> false;
        };
    }

    public boolean opens() {
        return kind == Kind.LPAREN || kind == Kind.LBRACKET;
    }

    public boolean closes() {
        return kind == Kind.RPAREN || kind == Kind.RBRACKET;
    }

    /** An unquoted or quoted name (see {@link #isQuotedName}). */
    public boolean isName() {
        return kind == Kind.WORD || isQuotedName();
    }

    /**
     * A quoted identifier, or a {@code "..."} that the dialect reads as a string (BigQuery, Spark, MySQL ...): SQLMesh's
     * renderer writes resolved names ({@code @this_model} ...) in double quotes whatever the dialect, so such text is
     * still a name where a name may stand. Whether the user's own quotes make a name is {@code is(IDENTIFIER)}.
     */
    public boolean isQuotedName() {
        return kind == Kind.IDENTIFIER
                || kind == Kind.STRING && text.startsWith("\"") && !text.startsWith("\"\"\"");
    }

    /** A string literal that is no quoted name (see {@link #isQuotedName}). */
    public boolean isStringLiteral() {
        return kind == Kind.STRING && !isQuotedName();
    }
}
