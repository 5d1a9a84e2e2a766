package dev.sqlmeshdag.core;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A value of a {@code MODEL (...)} property (or an {@code @model(...)} keyword), kept as a small tree so
 * nested kinds, tuples and arrays survive parsing intact.
 */
public sealed interface PropertyValue {

    /** The value as SQL-ish text, close to how it was written. */
    String text();

    /** A string literal (content, unquoted), identifier, number or boolean. */
    record Scalar(String value, boolean quoted) implements PropertyValue {
        @Override
        public String text() {
            return quoted ? "'" + value.replace("'", "''") + "'" : value;
        }
    }

    /** {@code (a, b)} when tuple, {@code [a, b]} otherwise. */
    record ListValue(List<PropertyValue> items, boolean tuple) implements PropertyValue {
        @Override
        public String text() {
            String inner = items.stream().map(PropertyValue::text).collect(Collectors.joining(", "));
            return tuple ? "(" + inner + ")" : "[" + inner + "]";
        }
    }

    /**
     * {@code NAME(...)}: a kind with arguments ({@code INCREMENTAL_BY_TIME_RANGE(time_column ds)}), or a function.
     * Named arguments ({@code key value}, {@code key := value}, {@code key = value}) go to {@code args} with
     * lower-case keys, in order; anything else to {@code positional}.
     */
    record Call(String name, Map<String, PropertyValue> args, List<PropertyValue> positional) implements PropertyValue {
        @Override
        public String text() {
            String named = args.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().text())
                    .collect(Collectors.joining(", "));
            String pos = positional.stream().map(PropertyValue::text).collect(Collectors.joining(", "));
            String inner = named.isEmpty() ? pos : pos.isEmpty() ? named : pos + ", " + named;
            return name + "(" + inner + ")";
        }
    }

    /** Any other expression, as written (e.g. {@code '1 day' :: interval}, a CASE, a macro call). */
    record Raw(String text) implements PropertyValue {
    }
}
