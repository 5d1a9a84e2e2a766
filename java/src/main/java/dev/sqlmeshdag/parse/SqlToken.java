package dev.sqlmeshdag.parse;

import java.util.List;

/**
 * One lexical unit of a SQL model file.
 *
 * @param kind     what it is
 * @param text     the source text exactly as written
 * @param value    the unquoted content for strings and quoted identifiers, else the text
 * @param start    offset of its first character
 * @param end      offset just past its last character
 * @param line     1-based line of its first character
 * @param col      1-based column of its first character
 * @param comments comments written between the previous token and this one, without their markers
 */
record SqlToken(Kind kind, String text, String value, int start, int end, int line, int col, List<String> comments) {

    enum Kind { WORD, QUOTED_ID, STRING, NUMBER, LPAREN, RPAREN, LBRACKET, RBRACKET, COMMA, SEMICOLON, DOT, OP }

    boolean is(Kind k) {
        return kind == k;
    }

    /** A bare word, compared case-insensitively as SQL keywords are. */
    boolean isWord(String word) {
        return kind == Kind.WORD && text.equalsIgnoreCase(word);
    }

    boolean isOp(String op) {
        return kind == Kind.OP && text.equals(op);
    }

    boolean opens() {
        return kind == Kind.LPAREN || kind == Kind.LBRACKET;
    }

    boolean closes() {
        return kind == Kind.RPAREN || kind == Kind.RBRACKET;
    }
}
