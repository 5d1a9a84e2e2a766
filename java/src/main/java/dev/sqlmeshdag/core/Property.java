package dev.sqlmeshdag.core;

/** One {@code key value} pair of a model definition; {@code key} is lower case. */
public record Property(String key, PropertyValue value, Location location) {
}
