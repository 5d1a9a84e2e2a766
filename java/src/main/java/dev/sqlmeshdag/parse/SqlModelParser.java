package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;
import java.util.List;

/** Splits a SQL model file into its MODEL block, statements and query. */
public final class SqlModelParser {

    private SqlModelParser() {
    }

    /**
     * @param file path relative to the project root (used in locations)
     * @return one ModelSource, or one per blueprint entry; empty when the file has errors (recorded in problems)
     */
    public static List<ModelSource> parse(String file, String text, Problems problems) {
        throw new UnsupportedOperationException("TODO");
    }
}
