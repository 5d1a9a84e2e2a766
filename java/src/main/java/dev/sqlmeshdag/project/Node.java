package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.Location;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A configuration value that remembers where it was written, so every complaint about the config can point at
 * the line that causes it. YAML files, {@code config.py} and {@code SQLMESH__} environment variables all end up
 * in this one shape before they are merged and checked.
 */
sealed interface Node {

    Location location();

    /** The value as plain Java objects (maps keep file order), the form handed to the rest of the engine. */
    Object plain();

    /**
     * Plain JSON-like values (maps, lists, scalars) as nodes that all point at {@code at}: a configuration computed
     * elsewhere (by SQLMesh's own loader) has no lines of its own, so its problems point at the config file.
     */
    static Node fromPlain(Object value, Location at) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Entry> entries = new LinkedHashMap<>();
            map.forEach((k, v) -> entries.put(String.valueOf(k), new Entry(String.valueOf(k), at, fromPlain(v, at))));
            return new MapNode(entries, at);
        }
        if (value instanceof List<?> list) {
            return new ListNode(list.stream().map(item -> fromPlain(item, at)).toList(), at);
        }
        return new Scalar(value, at);
    }

    /** A mapping; keys keep their source spelling and order. */
    record MapNode(Map<String, Entry> entries, Location location) implements Node {

        public MapNode {
            entries = new LinkedHashMap<>(entries);
        }

        Node get(String key) {
            Entry entry = entries.get(key);
            return entry == null ? null : entry.value();
        }

        @Override
        public Object plain() {
            Map<String, Object> out = new LinkedHashMap<>();
            entries.forEach((k, e) -> out.put(k, e.value().plain()));
            return out;
        }
    }

    /** One key of a mapping with the place the key itself was written. */
    record Entry(String key, Location keyLocation, Node value) {
    }

    record ListNode(List<Node> items, Location location) implements Node {

        @Override
        public Object plain() {
            List<Object> out = new ArrayList<>();
            items.forEach(i -> out.add(i.plain()));
            return out;
        }
    }

    /** A string, number, boolean or null. */
    record Scalar(Object value, Location location) implements Node {

        @Override
        public Object plain() {
            return value;
        }

        /** The value as SQLMesh would coerce it to a string field (numbers and booleans included). */
        String text() {
            if (value == null) {
                return null;
            }
            if (value instanceof Boolean b) {
                return b ? "True" : "False";
            }
            return value.toString();
        }
    }

    /**
     * A {@code config.py} expression that cannot be evaluated without running Python; {@code what} describes it
     * for the error raised when the value is actually needed.
     */
    record Opaque(String what, Location location) implements Node {

        @Override
        public Object plain() {
            return null;
        }
    }
}
