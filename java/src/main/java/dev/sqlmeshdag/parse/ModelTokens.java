package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.sql.Dialect;
import dev.sqlmeshdag.sql.SqlLexer;
import dev.sqlmeshdag.sql.SqlSyntaxException;
import dev.sqlmeshdag.sql.SqlToken;
import dev.sqlmeshdag.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;

/** The tokens of a model file's SQL as its reader sees them. */
final class ModelTokens {

    private ModelTokens() {
    }

    /**
     * The text's tokens, with a name written around macro pieces ({@code customer_@{id}}, {@code @{schema}_raw},
     * {@code @name}) read as one word, as SQLMesh reads it as one name; the lexer gives the renderer each macro as a
     * token of its own.
     *
     * @throws ParseException where sqlglot's tokenizer for the dialect refuses the text
     */
    static List<SqlToken> read(String text, Dialect dialect) throws ParseException {
        List<SqlToken> tokens;
        try {
            tokens = SqlLexer.checkedTokens(text, dialect);
        } catch (SqlSyntaxException e) {
            throw new ParseException(e.offset(), e.getMessage());
        }
        List<SqlToken> out = new ArrayList<>(tokens.size());
        for (SqlToken t : tokens) {
            SqlToken previous = out.isEmpty() ? null : out.get(out.size() - 1);
            if (previous != null && previous.is(Kind.WORD) && previous.end() == t.start() && continuesName(t)) {
                String joined = text.substring(previous.start(), t.end());
                out.set(out.size() - 1, new SqlToken(Kind.WORD, joined, joined, previous.start(), t.end(),
                        previous.spaceBefore(), previous.comments()));
            } else if (t.is(Kind.MACRO)) {
                // a lone @ is an operator, not a macro
                out.add(new SqlToken(t.text().length() == 1 ? Kind.OP : Kind.WORD, t.text(), t.value(), t.start(),
                        t.end(), t.spaceBefore(), t.comments()));
            } else {
                out.add(t);
            }
        }
        return out;
    }

    /** Only an interpolation ({@code @{id}}) continues a name; {@code a@b} is a name and a macro. */
    private static boolean continuesName(SqlToken t) {
        return t.is(Kind.WORD) || t.is(Kind.NUMBER) || t.is(Kind.MACRO) && t.text().startsWith("@{");
    }
}
