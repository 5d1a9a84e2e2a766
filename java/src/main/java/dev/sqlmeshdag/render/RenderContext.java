package dev.sqlmeshdag.render;

import dev.sqlmeshdag.core.PropertyValue;
import java.util.Map;
import java.util.Set;

/**
 * What SQLMesh's macro evaluator knows while loading a model.
 *
 * @param dialect            the model's dialect
 * @param variables          project + gateway variables, lower-case keys
 * @param blueprintVariables the model's blueprint entry, lower-case keys
 * @param thisModel          the model's fqn (for {@code @this_model})
 * @param gateway            the gateway name (for {@code @gateway})
 * @param userMacros         the project's own Python macro names, lower case
 */
public record RenderContext(
        String dialect,
        Map<String, Object> variables,
        Map<String, PropertyValue> blueprintVariables,
        String thisModel,
        String gateway,
        Set<String> userMacros) {
}
