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
 * @param defaultKind        {@code model_defaults.kind} when set, else null (SQLMesh then uses VIEW); it decides
 *                           whether {@code @start_ds} and friends exist for a model without its own kind
 * @param staticMacros       the project macros simple enough to evaluate from their text, by lower-case name
 */
public record RenderContext(
        String dialect,
        Map<String, Object> variables,
        Map<String, PropertyValue> blueprintVariables,
        String thisModel,
        String gateway,
        Set<String> userMacros,
        String defaultKind,
        Map<String, StaticMacros.Macro> staticMacros) {

    /** Without project macros evaluated from their text. */
    public RenderContext(String dialect, Map<String, Object> variables, Map<String, PropertyValue> blueprintVariables,
            String thisModel, String gateway, Set<String> userMacros, String defaultKind) {
        this(dialect, variables, blueprintVariables, thisModel, gateway, userMacros, defaultKind, Map.of());
    }

    /** Without a default kind: models that name no kind are VIEWs, as in SQLMesh. */
    public RenderContext(String dialect, Map<String, Object> variables, Map<String, PropertyValue> blueprintVariables,
            String thisModel, String gateway, Set<String> userMacros) {
        this(dialect, variables, blueprintVariables, thisModel, gateway, userMacros, null);
    }
}
