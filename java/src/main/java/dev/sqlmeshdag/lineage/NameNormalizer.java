package dev.sqlmeshdag.lineage;

import dev.sqlmeshdag.sql.Dialect;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a table name as written into SQLMesh's quoted, normalised fqn for one dialect and default catalog.
 *
 * <p>SQLMesh adds the default catalog only to two-part names, folds case by the dialect's rule (after the catalog
 * is added, which matters for BigQuery), and prints every part in double quotes whatever the dialect quotes with.
 */
public final class NameNormalizer {

    /** An unquoted name sqlglot can print without quotes; anything else it treats as quoted. */
    private static final Pattern SAFE_IDENTIFIER = Pattern.compile("[_a-zA-Z][\\w]*");

    /** One part of a dotted name: its text without quote characters, and whether it was quoted. */
    public record Part(String text, boolean quoted) {
    }

    private final Dialect dialect;
    private final Dialect.Casing casing;
    private final Part defaultCatalog;

    /**
     * @param dialect        the model's dialect as configured ({@code duckdb}, {@code snowflake,normalization_strategy=...})
     * @param defaultCatalog the gateway's default catalog, or null when the engine has none (MySQL, ClickHouse)
     */
    public NameNormalizer(String dialect, String defaultCatalog) {
        this.dialect = Dialect.of(dialect).orElse(Dialect.GENERIC);
        this.casing = Dialect.casingOf(dialect);
        this.defaultCatalog = defaultCatalog == null || defaultCatalog.isBlank() ? null : catalogPart(defaultCatalog);
    }

    /** {@code sushi.orders} -> {@code "memory"."sushi"."orders"} (duckdb, default catalog memory). */
    public String fqn(String nameAsWritten) {
        List<Part> parts = new ArrayList<>(parts(nameAsWritten, dialect));
        if (defaultCatalog != null && parts.size() == 2) {
            parts.add(0, defaultCatalog);
        }
        boolean qualified = parts.size() > 1;
        return parts.stream()
                .map(p -> quote(foldPart(p, qualified)))
                .collect(Collectors.joining("."));
    }

    /**
     * The last part of a name (a CTE, an alias, or a table in FROM) as the dialect resolves it, for comparing a
     * table with CTE names: BigQuery keeps the case of a qualified table's name, so {@code ds.Foo} is not the CTE
     * {@code foo} there, while a lone {@code Foo} or {@code `FOO`} is.
     */
    public String foldIdentifier(String nameAsWritten) {
        List<Part> parts = parts(nameAsWritten, dialect);
        Part last = parts.get(parts.size() - 1);
        return foldPart(last, parts.size() > 1);
    }

    /**
     * The first ({@code first}) or last part of a FROM item that may be a column (BigQuery's and Redshift's
     * implicit {@code UNNEST}: {@code FROM t AS a, a.items}) folded as sqlglot folds it there: its parser marks the
     * item {@code maybe_column}, so BigQuery lower-cases it like a column unless the whole path was written inside
     * one pair of backticks ({@code `a.items`}), which stays a case-sensitive table name.
     */
    public String foldAsColumn(String nameAsWritten, boolean first) {
        List<Part> parts = parts(nameAsWritten, dialect);
        Part part = parts.get(first ? 0 : parts.size() - 1);
        if (casing == Dialect.Casing.BIGQUERY) {
            String s = nameAsWritten.trim();
            boolean quotedPath = s.length() > 1 && s.charAt(0) == '`' && s.indexOf('`', 1) == s.length() - 1
                    && s.indexOf('.') > 0;
            return quotedPath ? part.text() : part.text().toLowerCase(java.util.Locale.ROOT);
        }
        return casing.fold(part.text(), part.quoted());
    }

    private String foldPart(Part part, boolean qualifiedTable) {
        return casing.foldTablePart(part.text(), part.quoted(), qualifiedTable);
    }

    private static String quote(String text) {
        return '"' + text.replace("\"", "\"\"") + '"';
    }

    private Part catalogPart(String catalog) {
        List<Part> parsed = parts(catalog.trim(), dialect);
        if (parsed.size() == 1) {
            return parsed.get(0);
        }
        return new Part(catalog.trim(), true);
    }

    /**
     * Splits a dotted name into parts the way the dialect's tokenizer would. A quote character the dialect does
     * not know (a backtick in Postgres) makes sqlglot give up parsing and split on dots instead, treating every
     * part that is not a plain word as quoted; that is reproduced here so odd names still normalise identically.
     */
    public static List<Part> parts(String name, Dialect dialect) {
        String s = name.trim();
        if (needsPlainSplit(s, dialect)) {
            return plainSplit(s);
        }
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == '.') {
                i++;
            } else if (c == '"' || (c == '`' && dialect.backticks())) {
                i = readQuoted(s, i, c, c, dialect, parts);
            } else if (c == '[' && dialect.brackets()) {
                i = readQuoted(s, i, '[', ']', dialect, parts);
            } else {
                int start = i;
                while (i < s.length() && s.charAt(i) != '.' && !Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                parts.add(new Part(s.substring(start, i), false));
            }
        }
        if (parts.isEmpty()) {
            parts.add(new Part(s, true));
        }
        return parts;
    }

    private static int readQuoted(String s, int open, char openChar, char close, Dialect dialect, List<Part> out) {
        StringBuilder text = new StringBuilder();
        int i = open + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == close) {
                if (close != ']' && i + 1 < s.length() && s.charAt(i + 1) == close) {
                    text.append(close);
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            text.append(c);
            i++;
        }
        // BigQuery lets one backtick pair hold a whole path: `project.dataset.table`.
        if (openChar == '`' && dialect == Dialect.BIGQUERY && text.indexOf(".") >= 0) {
            for (String piece : text.toString().split("\\.")) {
                out.add(new Part(piece, true));
            }
        } else {
            out.add(new Part(text.toString(), true));
        }
        return i;
    }

    private static boolean needsPlainSplit(String s, Dialect dialect) {
        char open = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (open != 0) {
                if (c == '"' && open == '"' && i + 1 < s.length() && s.charAt(i + 1) == '"'
                        && dialect.backticks() && !dialect.escapesDoubledDoubleQuote()) {
                    // these dialects read "" as two adjacent strings, not an escaped quote
                    return true;
                }
                if (c == (open == '[' ? ']' : open)) {
                    open = 0;
                }
            } else if (c == '"' || (c == '`' && dialect.backticks()) || (c == '[' && dialect.brackets())) {
                open = c;
            } else if (c == '`' || c == '[' || (c == '-' && dialect != Dialect.BIGQUERY)) {
                return true;
            }
        }
        return false;
    }

    private static List<Part> plainSplit(String s) {
        List<Part> parts = new ArrayList<>();
        for (String piece : s.split("\\.", -1)) {
            String p = piece.trim();
            parts.add(new Part(p, !SAFE_IDENTIFIER.matcher(p).matches()));
        }
        return parts;
    }
}
