package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.sql.SqlToken;

/** A problem in a model file at a known offset; turned into a {@code file:line:col: message} problem. */
public final class ParseException extends Exception {

    final int offset;

    ParseException(int offset, String message) {
        super(message);
        this.offset = offset;
    }

    /** Where in the text the problem is. */
    public int offset() {
        return offset;
    }

    ParseException(SqlToken token, String message) {
        this(token.start(), message);
    }
}
