package dev.sqlmeshdag.lineage;

/** Turns a table name as written into SQLMesh's quoted, normalised fqn for one dialect and default catalog. */
public final class NameNormalizer {

    public NameNormalizer(String dialect, String defaultCatalog) {
    }

    /** {@code sushi.orders} -> {@code "memory"."sushi"."orders"} (duckdb, default catalog memory). */
    public String fqn(String nameAsWritten) {
        throw new UnsupportedOperationException("TODO");
    }
}
