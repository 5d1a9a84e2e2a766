package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.sql.SqlToken;
import java.util.List;

/**
 * One statement of a model file, as SQLMesh splits it.
 *
 * @param type   plain SQL, a Jinja block, or an {@code ON_VIRTUAL_UPDATE} block
 * @param tokens the statement's tokens (for Jinja blocks, the whole block including its markers)
 * @param text   the source text: the statement as written; for a Jinja query only the template inside the markers
 */
record SqlStatement(Type type, List<SqlToken> tokens, String text) {

    enum Type { SQL, JINJA_QUERY, JINJA_STATEMENT, VIRTUAL_UPDATE }

    SqlToken first() {
        return tokens.get(0);
    }
}
