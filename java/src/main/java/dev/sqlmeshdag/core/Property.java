package dev.sqlmeshdag.core;

/**
 * One {@code key value} pair of a model definition; {@code key} is lower case.
 *
 * @param source the value's text exactly as written in a {@code MODEL (...)} block, for readers that need what the
 *               structured {@code value} folds away (quotes, case of named items); null for Python models
 */
public record Property(String key, PropertyValue value, Location location, String source) {

    public Property(String key, PropertyValue value, Location location) {
        this(key, value, location, null);
    }
}
