package dev.sqlmeshdag.lineage;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import java.util.List;

/** Finds every table a rendered query reads, CTE names excluded at every scope. */
public final class TableExtractor {

    private TableExtractor() {
    }

    /** Table names as written (quotes kept), for {@link NameNormalizer#fqn(String)}. */
    public static List<String> tables(String renderedSql, String dialect, Location where, Problems problems) {
        throw new UnsupportedOperationException("TODO");
    }
}
