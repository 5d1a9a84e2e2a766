package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.core.ModelKind;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.Property;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.core.PropertyValue.Call;
import dev.sqlmeshdag.core.PropertyValue.ListValue;
import dev.sqlmeshdag.core.PropertyValue.Raw;
import dev.sqlmeshdag.core.PropertyValue.Scalar;
import dev.sqlmeshdag.sql.SqlToken;
import dev.sqlmeshdag.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the properties inside {@code MODEL ( ... )} into {@link Property} values, following SQLMesh's
 * grammar: {@code key value} pairs separated by commas, kinds with {@code key value} arguments, tuples,
 * arrays, function calls and {@code key := value} / {@code key = value} items inside them.
 */
final class ModelBlockReader {

    /** Property names SQLMesh knows; used to spot a forgotten comma between two properties. */
    private static final Set<String> KNOWN_KEYS = Set.of("name", "kind", "cron", "cron_tz", "interval_unit", "start",
            "end", "owner", "description", "dialect", "tags", "grain", "grains", "references", "depends_on", "columns",
            "column_descriptions", "audits", "signals", "partitioned_by", "clustered_by", "storage_format",
            "table_format", "physical_properties", "virtual_properties", "session_properties", "stamp", "retention",
            "enabled", "gateway", "allow_partials", "optimize_query", "formatting", "ignored_rules",
            "physical_version", "project", "blueprints", "virtual_environment_mode", "grants", "grants_target_layer",
            "physical_schema_override");

    private final String text;
    private final LineIndex lines;
    private final Problems problems;

    ModelBlockReader(String text, LineIndex lines, Problems problems) {
        this.text = text;
        this.lines = lines;
        this.problems = problems;
    }

    /** @param inner the tokens between {@code MODEL (} and its closing {@code )} */
    Map<String, Property> read(List<SqlToken> inner) throws ParseException {
        Map<String, Property> properties = new LinkedHashMap<>();
        int i = 0;
        while (i < inner.size()) {
            SqlToken key = inner.get(i);
            int end = nextComma(inner, i + 1);
            Property property = readProperty(key, inner.subList(i + 1, end));
            if (properties.containsKey(property.key())) {
                problems.warning(lines.at(key.start()), "property '" + property.key()
                        + "' is given twice in this MODEL block; SQLMesh uses the last one, remove the other");
            }
            properties.remove(property.key());
            properties.put(property.key(), property);
            i = end + 1;
        }
        return properties;
    }

    private Property readProperty(SqlToken key, List<SqlToken> value) throws ParseException {
        if (key.is(Kind.COMMA)) {
            throw new ParseException(key, "unexpected ','; remove the extra comma");
        }
        if (!key.is(Kind.WORD) && !key.is(Kind.IDENTIFIER)) {
            throw new ParseException(key, "expected a property name, found '" + key.text() + "'");
        }
        if (key.text().startsWith("@") && !value.isEmpty() && value.get(0).is(Kind.LPAREN)) {
            // A macro call that expands into properties when SQLMesh renders the block.
            String call = text.substring(key.start(), value.get(value.size() - 1).end());
            return new Property(key.text().toLowerCase(Locale.ROOT), new Raw(call), lines.at(key.start()));
        }
        String name = key.value().toLowerCase(Locale.ROOT);
        if (value.isEmpty()) {
            throw new ParseException(key, "property '" + name + "' has no value; write '" + name + " <value>'");
        }
        PropertyValue parsed = switch (name) {
            case "kind" -> readKind(value);
            case "name" -> readName(value);
            default -> readTopLevel(value);
        };
        return new Property(name, parsed, lines.at(key.start()), source(value));
    }

    private PropertyValue readKind(List<SqlToken> value) throws ParseException {
        SqlToken first = value.get(0);
        if (first.is(Kind.WORD) && first.text().startsWith("@")) {
            return readTopLevel(value);
        }
        String kind = first.value().toUpperCase(Locale.ROOT);
        if (!(first.is(Kind.WORD) || first.is(Kind.IDENTIFIER)) || ModelKind.named(kind).isEmpty()) {
            throw new ParseException(first, "unknown model kind '" + first.text() + "'; use one of "
                    + String.join(", ", ModelKind.names()));
        }
        if (value.size() == 1) {
            return new Scalar(kind, false);
        }
        SqlToken next = value.get(1);
        if (!next.is(Kind.LPAREN)) {
            throw missingComma(next, "kind " + kind);
        }
        if (!ModelKind.named(kind).orElseThrow().takesArguments()) {
            throw new ParseException(next, "kind " + kind + " takes no arguments; remove the parentheses after it");
        }
        int close = matching(value, 1);
        if (close != value.size() - 1) {
            throw missingComma(value.get(close + 1), "kind " + kind + "(...)");
        }
        return new Call(kind, readKindArguments(kind, value.subList(2, close)), List.of());
    }

    private Map<String, PropertyValue> readKindArguments(String kind, List<SqlToken> inner) throws ParseException {
        Map<String, PropertyValue> args = new LinkedHashMap<>();
        for (List<SqlToken> item : items(inner)) {
            SqlToken key = item.get(0);
            if (!key.is(Kind.WORD) && !key.is(Kind.IDENTIFIER)) {
                throw new ParseException(key, "expected an argument name of kind " + kind + ", found '"
                        + key.text() + "'");
            }
            String name = key.value().toLowerCase(Locale.ROOT);
            if (item.size() == 1) {
                throw new ParseException(key, "argument '" + name + "' of kind " + kind
                        + " has no value; write '" + name + " <value>'");
            }
            SqlToken second = item.get(1);
            if (second.is(":=") || second.is("=")) {
                throw new ParseException(second, "kind arguments are written 'key value' without '"
                        + second.text() + "'; write '" + name + " " + source(item.subList(2, item.size())) + "'");
            }
            args.put(name, readValue(item.subList(1, item.size())));
        }
        return args;
    }

    private PropertyValue readName(List<SqlToken> value) throws ParseException {
        SqlToken first = value.get(0);
        if (value.size() == 1 && first.is(Kind.STRING)) {
            throw new ParseException(first, "the model name must not be a string; write name " + first.value()
                    + " instead of name " + first.text());
        }
        int end = dottedNameEnd(value, 0);
        if (end == 0) {
            throw new ParseException(first, "the model name must be a table name such as db.table, found '"
                    + first.text() + "'");
        }
        if (end != value.size()) {
            throw missingComma(value.get(end), "name " + source(value.subList(0, end)));
        }
        return new Scalar(source(value), false);
    }

    /** A property value: one value, where a second value that starts a known property means a missing comma. */
    private PropertyValue readTopLevel(List<SqlToken> value) throws ParseException {
        int end = primaryEnd(value, 0);
        if (end < value.size() && value.get(end).is(Kind.WORD)
                && KNOWN_KEYS.contains(value.get(end).text().toLowerCase(Locale.ROOT))) {
            throw missingComma(value.get(end), source(value.subList(0, end)));
        }
        return readValue(value);
    }

    /** Turns a run of tokens into the smallest PropertyValue that keeps its structure. */
    PropertyValue readValue(List<SqlToken> value) throws ParseException {
        SqlToken first = value.get(0);
        if (value.size() == 1) {
            return switch (first.kind()) {
                case STRING -> new Scalar(first.value(), true);
                case IDENTIFIER -> new Scalar(first.value(), false);
                default -> new Scalar(first.text(), false);
            };
        }
        if (value.size() == 2 && (first.is("-") || first.is("+")) && value.get(1).is(Kind.NUMBER)) {
            return new Scalar(first.text() + value.get(1).text(), false);
        }
        int nameEnd = dottedNameEnd(value, 0);
        if (nameEnd == value.size()) {
            return new Scalar(source(value), false);
        }
        if (first.opens() && matching(value, 0) == value.size() - 1) {
            return group(value.subList(1, value.size() - 1), first.is(Kind.LPAREN));
        }
        // ARRAY[a, b] is the same array as [a, b] to sqlglot (tags ARRAY['x'], audits ARRAY[...])
        if (first.is("ARRAY") && value.get(1).is(Kind.LBRACKET) && matching(value, 1) == value.size() - 1) {
            return group(value.subList(2, value.size() - 1), false);
        }
        if (nameEnd > 0 && value.get(nameEnd).is(Kind.LPAREN) && matching(value, nameEnd) == value.size() - 1) {
            return call(source(value.subList(0, nameEnd)), value.subList(nameEnd + 1, value.size() - 1));
        }
        return new Raw(source(value));
    }

    /** {@code (a, b)} / {@code [a, b]}; a parenthesised group of {@code key := value} items is a nameless Call. */
    private PropertyValue group(List<SqlToken> inner, boolean tuple) throws ParseException {
        List<PropertyValue> positional = new ArrayList<>();
        Map<String, PropertyValue> named = new LinkedHashMap<>();
        for (List<SqlToken> item : items(inner)) {
            if (isNamed(item)) {
                PropertyValue v = readValue(item.subList(2, item.size()));
                if (tuple) {
                    named.put(item.get(0).value().toLowerCase(Locale.ROOT), v);
                } else {
                    positional.add(new Call("", Map.of(item.get(0).value().toLowerCase(Locale.ROOT), v), List.of()));
                }
            } else {
                positional.add(readValue(item));
            }
        }
        return named.isEmpty() ? new ListValue(positional, tuple) : new Call("", named, positional);
    }

    private PropertyValue call(String name, List<SqlToken> inner) throws ParseException {
        List<PropertyValue> positional = new ArrayList<>();
        Map<String, PropertyValue> named = new LinkedHashMap<>();
        for (List<SqlToken> item : items(inner)) {
            if (isNamed(item)) {
                named.put(item.get(0).value().toLowerCase(Locale.ROOT), readValue(item.subList(2, item.size())));
            } else {
                positional.add(readValue(item));
            }
        }
        return new Call(name, named, positional);
    }

    private static boolean isNamed(List<SqlToken> item) {
        if (item.size() < 3) {
            return false;
        }
        SqlToken key = item.get(0);
        SqlToken op = item.get(1);
        return (key.is(Kind.WORD) || key.is(Kind.IDENTIFIER) || key.is(Kind.STRING))
                && (op.is(":=") || op.is("=") || op.is("=>"));
    }

    /** Comma-separated items at the top level of a bracket's content; a trailing comma is allowed. */
    private List<List<SqlToken>> items(List<SqlToken> inner) throws ParseException {
        List<List<SqlToken>> out = new ArrayList<>();
        int i = 0;
        while (i < inner.size()) {
            int end = nextComma(inner, i);
            if (end == i) {
                throw new ParseException(inner.get(i), "unexpected ','; remove the extra comma");
            }
            out.add(inner.subList(i, end));
            i = end + 1;
        }
        return out;
    }

    /** Index just past one value (a literal, a dotted name, a call or a bracketed group) starting at {@code from}. */
    private static int primaryEnd(List<SqlToken> tokens, int from) {
        SqlToken first = tokens.get(from);
        int end;
        if (first.opens()) {
            end = matching(tokens, from) + 1;
        } else if (first.is(Kind.WORD) || first.is(Kind.IDENTIFIER)) {
            end = dottedNameEnd(tokens, from);
            if (end < tokens.size() && tokens.get(end).is(Kind.LPAREN)) {
                end = matching(tokens, end) + 1;
            }
        } else {
            end = from + 1;
        }
        while (end < tokens.size() && tokens.get(end).is(Kind.LBRACKET)) {
            end = matching(tokens, end) + 1;
        }
        return end;
    }

    /** Index just past {@code a.b.c} starting at {@code from}, or {@code from} when there is no name there. */
    private static int dottedNameEnd(List<SqlToken> tokens, int from) {
        if (from >= tokens.size() || !isNamePart(tokens.get(from))) {
            return from;
        }
        int i = from + 1;
        while (i + 1 < tokens.size() && tokens.get(i).is(Kind.DOT) && isNamePart(tokens.get(i + 1))) {
            i += 2;
        }
        return i;
    }

    private static boolean isNamePart(SqlToken t) {
        return t.is(Kind.WORD) || t.is(Kind.IDENTIFIER);
    }

    /** The index of the bracket closing the one at {@code open}; brackets are known to balance. */
    static int matching(List<SqlToken> tokens, int open) {
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            if (tokens.get(i).opens()) {
                depth++;
            } else if (tokens.get(i).closes() && --depth == 0) {
                return i;
            }
        }
        return tokens.size() - 1;
    }

    static int nextComma(List<SqlToken> tokens, int from) {
        int depth = 0;
        for (int i = from; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            if (t.opens()) {
                depth++;
            } else if (t.closes()) {
                depth--;
            } else if (depth == 0 && t.is(Kind.COMMA)) {
                return i;
            }
        }
        return tokens.size();
    }

    private static ParseException missingComma(SqlToken next, String after) {
        return new ParseException(next, "unexpected '" + next.text() + "' after " + after
                + "; add a ',' between properties");
    }

    private String source(List<SqlToken> tokens) {
        if (tokens.isEmpty()) {
            return "";
        }
        return text.substring(tokens.get(0).start(), tokens.get(tokens.size() - 1).end());
    }
}
