package dev.sqlmeshdag.engine;

import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Property;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.sql.Dialect;
import dev.sqlmeshdag.sql.SqlLexer;
import dev.sqlmeshdag.sql.SqlToken;
import dev.sqlmeshdag.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a model declares about its table for the reader of its task: grains, column types and column descriptions,
 * each exactly as SQLMesh holds it or not at all (null). Nothing is inferred from the query: a type SQLMesh would
 * infer, or a description it reads from a comment in the query, is not given here.
 */
final class ModelDocs {

    /** A name SQLMesh's parser reads as one plain identifier, which it prints back exactly as written. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Dialect dialect;
    private final Dialect.Casing casing;

    ModelDocs(String dialect) {
        this.dialect = Dialect.of(dialect).orElse(Dialect.GENERIC);
        this.casing = Dialect.casingOf(dialect);
    }

    /**
     * {@code grain} / {@code grains} as SQLMesh prints them ({@code model.grains}, each {@code .sql(dialect)}).
     * {@code grain} is one grain, so {@code grain (a, b)} is the composite grain {@code (a, b)}; {@code grains} is
     * a list of them, {@code grains (a, (b, c))}. A plain or quoted column name prints as written, a tuple of
     * them as {@code (a, b)}. Empty without either property; null when a grain is anything else (an expression
     * or an array SQLMesh prints in its own formatting).
     */
    List<String> grains(ModelSource src) {
        Optional<Property> many = src.property("grains");
        Optional<Property> prop = many.or(() -> src.property("grain"));
        if (prop.isEmpty()) {
            return List.of();
        }
        if (prop.get().source() == null) {
            return pythonGrains(prop.get().value());
        }
        List<SqlToken> tokens = SqlLexer.tokens(prop.get().source(), dialect);
        boolean list = many.isPresent() && !tokens.isEmpty() && tokens.get(0).opens()
                && closer(tokens) == tokens.size() - 1;
        List<String> out = new ArrayList<>();
        for (List<SqlToken> item : list ? items(tokens) : List.of(tokens)) {
            String grain = grain(item);
            if (grain == null) {
                return null;
            }
            out.add(grain);
        }
        return out;
    }

    /** One grain as SQLMesh prints it: a name as written, or a parenthesised tuple of names; null otherwise. */
    private static String grain(List<SqlToken> tokens) {
        if (tokens.size() == 1 && isName(tokens.get(0))) {
            return tokens.get(0).text();
        }
        if (tokens.isEmpty() || !tokens.get(0).is(Kind.LPAREN) || closer(tokens) != tokens.size() - 1) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (List<SqlToken> item : items(tokens)) {
            if (item.size() != 1 || !isName(item.get(0))) {
                return null;
            }
            names.add(item.get(0).text());
        }
        return "(" + String.join(", ", names) + ")";
    }

    /** A Python model's {@code grain="id"} / {@code grains=["a", "b"]}: SQL text SQLMesh parses, kept when plain. */
    private static List<String> pythonGrains(PropertyValue value) {
        List<PropertyValue> items = value instanceof PropertyValue.ListValue list ? list.items() : List.of(value);
        List<String> out = new ArrayList<>();
        for (PropertyValue item : items) {
            if (!(item instanceof PropertyValue.Scalar s) || !s.quoted() || !PLAIN_NAME.matcher(s.value()).matches()) {
                return null;
            }
            out.add(s.value());
        }
        return out;
    }

    /**
     * The declared {@code columns}: name as SQLMesh normalises it -> type as written. Null without {@code columns}
     * or when an entry is not a plain {@code name type} pair (a macro, a type given as Python code).
     */
    Map<String, String> columns(ModelSource src) {
        Optional<PropertyValue> value = src.value("columns");
        if (value.isEmpty() || !(value.get() instanceof PropertyValue.ListValue list) || !list.tuple()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (PropertyValue item : list.items()) {
            if (!(item instanceof PropertyValue.Raw raw)) {
                return null;
            }
            String text = raw.text();
            List<SqlToken> tokens = SqlLexer.tokens(text, dialect);
            if (tokens.size() < 2 || !isName(tokens.get(0)) || text.contains("@")) {
                return null;
            }
            String type = text.substring(tokens.get(1).start()).strip();
            out.put(fold(tokens.get(0)), type.replaceAll("\\s+", " "));
        }
        return out.isEmpty() ? null : out;
    }

    /**
     * The declared {@code column_descriptions}: normalised column name (dotted for a nested field) -> description.
     * As SQLMesh does, a description of a column the declared {@code columns} lack is dropped. Null without the
     * property or when an entry is not {@code name = 'text'}.
     */
    Map<String, String> columnDescriptions(ModelSource src, Map<String, String> columns) {
        Optional<Property> prop = src.property("column_descriptions");
        if (prop.isEmpty()) {
            return null;
        }
        Map<String, String> out = prop.get().source() == null ? pythonDescriptions(prop.get().value())
                : sqlDescriptions(prop.get().source());
        if (out != null && columns != null) {
            out.keySet().retainAll(columns.keySet());
        }
        return out;
    }

    private Map<String, String> sqlDescriptions(String source) {
        Map<String, String> out = new LinkedHashMap<>();
        List<SqlToken> tokens = SqlLexer.tokens(source, dialect);
        if (tokens.isEmpty() || !tokens.get(0).is(Kind.LPAREN)) {
            return null;
        }
        for (List<SqlToken> item : items(tokens)) {
            int n = item.size();
            // SQLMesh 0.236.4 refuses name := 'text' here (its reader expects a column on the left of =)
            if (n < 3 || !item.get(n - 2).is("=") || !item.get(n - 1).isStringLiteral()) {
                return null;
            }
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < n - 2; i += 2) {
                if (!isName(item.get(i)) || (i + 1 < n - 2 && !item.get(i + 1).is(Kind.DOT))) {
                    return null;
                }
                parts.add(fold(item.get(i)));
            }
            out.put(String.join(".", parts), item.get(n - 1).value());
        }
        return out;
    }

    /**
     * A Python model's {@code column_descriptions={"id": "..."}}: SQLMesh reads each key as an unquoted name. The
     * engine's Python reader keeps keys in lower case, which is the name SQLMesh makes of it unless the dialect
     * keeps case (then it is not given).
     */
    private Map<String, String> pythonDescriptions(PropertyValue value) {
        if (!(value instanceof PropertyValue.Call call) || !call.name().isEmpty() || !call.positional().isEmpty()
                || casing == Dialect.Casing.CASE_SENSITIVE) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, PropertyValue> e : call.args().entrySet()) {
            if (!PLAIN_NAME.matcher(e.getKey()).matches() || !(e.getValue() instanceof PropertyValue.Scalar s)
                    || !s.quoted()) {
                return null;
            }
            out.put(casing.fold(e.getKey(), false), s.value());
        }
        return out;
    }

    private static boolean isName(SqlToken token) {
        return token.is(Kind.WORD) && !token.text().startsWith("@") || token.is(Kind.IDENTIFIER);
    }

    private String fold(SqlToken name) {
        return casing.fold(name.value(), name.is(Kind.IDENTIFIER));
    }

    /** The comma-separated items of {@code (a, b)} / {@code [a, b]}, or the one item of a value without brackets. */
    private static List<List<SqlToken>> items(List<SqlToken> tokens) {
        boolean bracketed = tokens.size() >= 2 && tokens.get(0).opens() && closer(tokens) == tokens.size() - 1;
        List<SqlToken> inner = bracketed ? tokens.subList(1, tokens.size() - 1) : tokens;
        List<List<SqlToken>> out = new ArrayList<>();
        List<SqlToken> current = new ArrayList<>();
        int depth = 0;
        for (SqlToken t : inner) {
            if (t.opens()) {
                depth++;
            } else if (t.closes()) {
                depth--;
            }
            if (depth == 0 && t.is(Kind.COMMA)) {
                out.add(current);
                current = new ArrayList<>();
            } else {
                current.add(t);
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** The index of the bracket closing the first token. */
    private static int closer(List<SqlToken> tokens) {
        int depth = 0;
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).opens()) {
                depth++;
            } else if (tokens.get(i).closes() && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
