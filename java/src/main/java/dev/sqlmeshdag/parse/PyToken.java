package dev.sqlmeshdag.parse;

/**
 * One token of a Python source file.
 *
 * @param kind   what it is
 * @param text   the source text as written (for strings: prefix and quotes included)
 * @param value  for strings the decoded content (for f-strings the raw template between the quotes), else text
 * @param fString true for an f-string, whose value still holds its {@code {...}} replacement fields
 * @param start  offset of the first character
 * @param end    offset just past the last character
 * @param line   1-based line
 * @param col    1-based column
 */
public record PyToken(Kind kind, String text, String value, boolean fString, int start, int end, int line, int col) {

    public enum Kind { NAME, NUMBER, STRING, OP, NEWLINE }

    boolean isOp(String op) {
        return kind == Kind.OP && text.equals(op);
    }

    boolean isName(String name) {
        return kind == Kind.NAME && text.equals(name);
    }

    boolean opens() {
        return isOp("(") || isOp("[") || isOp("{");
    }

    boolean closes() {
        return isOp(")") || isOp("]") || isOp("}");
    }
}
