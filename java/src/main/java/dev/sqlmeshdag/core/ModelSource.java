package dev.sqlmeshdag.core;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One model as written in its file, before names are normalised, macros rendered or defaults applied.
 * A file with blueprints yields one ModelSource per blueprint entry, each with its own
 * {@code blueprintVariables}; the name and query still hold the {@code @{var}} references.
 *
 * @param file               path relative to the project root
 * @param location           where the definition starts ({@code MODEL} keyword or {@code @model} decorator)
 * @param python             true for a Python model
 * @param properties         every property, keys lower case, in file order
 * @param preStatements      SQL statements before the query (including {@code @DEF(...)}), as written
 * @param query              the main query as written (null for Python models that are not {@code is_sql})
 * @param queryLocation      where the query starts
 * @param postStatements     SQL statements after the query
 * @param blueprintVariables this blueprint entry's variables (lower-case keys), empty without blueprints
 * @param dependencies       Python models only: table names read statically (depends_on, context.resolve_table ...)
 * @param jinja              true when the query is a {@code JINJA_QUERY_BEGIN ... JINJA_END} block
 */
public record ModelSource(
        String file,
        Location location,
        boolean python,
        Map<String, Property> properties,
        List<String> preStatements,
        String query,
        Location queryLocation,
        List<String> postStatements,
        Map<String, PropertyValue> blueprintVariables,
        List<String> dependencies,
        boolean jinja) {

    public Optional<Property> property(String key) {
        return Optional.ofNullable(properties.get(key));
    }

    public Optional<PropertyValue> value(String key) {
        return property(key).map(Property::value);
    }
}
