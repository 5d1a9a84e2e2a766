package dev.sqlmeshdag.sql;

/** Text the dialect's tokenizer in sqlglot refuses (an unclosed string or comment ...), at a known offset. */
public final class SqlSyntaxException extends Exception {

    private final int offset;

    SqlSyntaxException(int offset, String message) {
        super(message);
        this.offset = offset;
    }

    /** Where in the text the problem is. */
    public int offset() {
        return offset;
    }
}
