package dev.sqlmeshdag.render;

import dev.sqlmeshdag.sql.Dialect;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes config values as the SQL literals SQLMesh substitutes for them, and reads literals back. */
final class SqlValues {

    private SqlValues() {
    }

    /** A YAML value as a SQL literal: strings quoted, booleans TRUE/FALSE, null NULL, lists as arrays. */
    static String literal(Object value, Dialect dialect) {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof Boolean b) {
            return b ? "TRUE" : "FALSE";
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            return pythonFloat(((Number) value).doubleValue());
        }
        if (value instanceof Number n) {
            return n.toString();
        }
        if (value instanceof List<?> list) {
            return array(list.stream().map(v -> literal(v, dialect)).toList(), dialect);
        }
        if (value instanceof Map<?, ?> map) {
            List<String> keys = map.keySet().stream().map(k -> literal(k, dialect)).toList();
            List<String> values = map.values().stream().map(v -> literal(v, dialect)).toList();
            return "MAP(" + array(keys, dialect) + ", " + array(values, dialect) + ")";
        }
        return quote(value.toString());
    }

    /** A list value used as {@code @name}: SQLMesh turns it into a tuple. */
    static String tuple(List<?> list, Dialect dialect) {
        return list.stream().map(v -> literal(v, dialect)).collect(Collectors.joining(", ", "(", ")"));
    }

    /** The text {@code @{name}} inserts: string contents bare, everything else as SQL. */
    static String templateText(String sql) {
        return isStringLiteral(sql) ? unquote(sql) : sql;
    }

    /**
     * A value placed where a name is expected ({@code s.@tbl}): a string literal becomes the name it spells, quoted,
     * so its case survives in Snowflake or Postgres exactly as SQLMesh keeps it ({@code 'gw_tbl'} stays lower case
     * where an unquoted {@code gw_tbl} would be folded).
     */
    static String identifierText(String sql) {
        if (!isStringLiteral(sql)) {
            return sql;
        }
        return '"' + unquote(sql).replace("\"", "\"\"") + '"';
    }

    static String quote(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    static boolean isStringLiteral(String sql) {
        String s = sql.strip();
        if (s.length() < 2 || s.charAt(0) != '\'' || s.charAt(s.length() - 1) != '\'') {
            return false;
        }
        for (int i = 1; i < s.length() - 1; i++) {
            if (s.charAt(i) == '\'') {
                if (s.charAt(i + 1) != '\'' || i + 1 == s.length() - 1) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    static String unquote(String literal) {
        String s = literal.strip();
        return s.substring(1, s.length() - 1).replace("''", "'");
    }

    private static String array(List<String> items, Dialect dialect) {
        String inner = String.join(", ", items);
        return switch (dialect) {
            case SPARK, SPARK2, DATABRICKS, HIVE -> "ARRAY(" + inner + ")";
            case POSTGRES, TRINO, PRESTO, ATHENA, REDSHIFT, RISINGWAVE, MATERIALIZE -> "ARRAY[" + inner + "]";
            default -> "[" + inner + "]";
        };
    }

    /** Python's repr of a float, which is what SQLMesh writes: 1.0, 1.5, 1e+20. */
    private static String pythonFloat(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return String.format("%.1f", d);
        }
        return Double.toString(d);
    }
}
