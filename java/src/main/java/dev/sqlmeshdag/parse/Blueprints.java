package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.core.PropertyValue.Call;
import dev.sqlmeshdag.core.PropertyValue.ListValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Expands a {@code blueprints} value into one variable mapping per model, with SQLMesh's reading of each form. */
final class Blueprints {

    private Blueprints() {
    }

    /**
     * {@code ((a := 1, b := 2), (a := 3, b := 4))} and {@code [(a := 1), (a := 2)]} give one entry per item;
     * a single {@code (a := 1)} gives one entry; a bare {@code (a := 1, b := 2)} is a tuple of single-variable
     * entries, exactly as SQLMesh reads it.
     *
     * @throws IllegalArgumentException with a user-facing message when the value is not a list of mappings
     */
    static List<Map<String, PropertyValue>> entries(PropertyValue value) {
        List<Map<String, PropertyValue>> out = new ArrayList<>();
        if (value instanceof Call call && call.name().isEmpty()) {
            if (!call.positional().isEmpty()) {
                throw notMapping(call.positional().get(0));
            }
            if (call.args().size() == 1) {
                out.add(lowerKeys(call.args()));
            } else {
                call.args().forEach((k, v) -> out.add(Map.of(k.toLowerCase(Locale.ROOT), v)));
            }
            return out;
        }
        if (value instanceof ListValue list) {
            for (PropertyValue item : list.items()) {
                if (!(item instanceof Call entry) || !entry.name().isEmpty() || !entry.positional().isEmpty()) {
                    throw notMapping(item);
                }
                out.add(lowerKeys(entry.args()));
            }
            return out;
        }
        if (value instanceof Call call && call.name().startsWith("@")) {
            throw new IllegalArgumentException("blueprints built by the macro " + call.name()
                    + " cannot be read without running it; list the entries explicitly, e.g. "
                    + "blueprints ((customer := a), (customer := b))");
        }
        throw new IllegalArgumentException("expected a list of key-value mappings for 'blueprints', got '"
                + value.text() + "'; write e.g. blueprints ((customer := a), (customer := b))");
    }

    private static IllegalArgumentException notMapping(PropertyValue item) {
        return new IllegalArgumentException("each blueprint must be a key-value mapping such as (customer := a), got '"
                + item.text() + "'");
    }

    static Map<String, PropertyValue> lowerKeys(Map<String, PropertyValue> vars) {
        Map<String, PropertyValue> out = new LinkedHashMap<>();
        vars.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
        return out;
    }
}
