package dev.sqlmeshdag.render;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.PropertyValue;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The globals of SQLMesh's Jinja environment for a model query at load time: {@code var()}, {@code blueprint_var()},
 * {@code gateway()} and the load-time names ({@code start_ds}, {@code this_model} ...). Project Jinja macros and
 * runtime objects are unknown: only Python (or the database) can say what they return.
 */
final class ModelJinjaGlobals implements JinjaRenderer.Globals {

    /**
     * Names SQLMesh's Jinja environment defines whose value the engine cannot compute (they need the database,
     * snapshots or Python); a bare name not listed here and not a project macro is undefined.
     */
    private static final Set<String> RUNTIME_GLOBALS = Set.of("resolve_table", "snapshots", "table_mapping",
            "deployability_index", "model_instance", "default_catalog", "engine_adapter", "range", "dict",
            "namespace", "lipsum", "cycler", "joiner");

    private final RenderContext context;
    private final Map<String, String> loadTime;

    ModelJinjaGlobals(RenderContext context, boolean interval) {
        this.context = context;
        this.loadTime = LoadTimeVariables.of(interval, context.thisModel(), context.gateway());
    }

    @Override
    public Object name(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        if (loadTime.containsKey(key)) {
            String sql = loadTime.get(key);
            return key.equals("this_model") ? sql : SqlValues.templateText(sql);
        }
        // Project variables are reachable through var() only: a bare {{ name }} is undefined at load time.
        return RUNTIME_GLOBALS.contains(name) || context.userMacros().contains(key)
                ? JinjaRenderer.unknown() : JinjaRenderer.UNDEFINED;
    }

    @Override
    public Object call(String function, List<Object> args, Location at) {
        if (function.equals("gateway") && args.isEmpty() && context.gateway() != null) {
            return context.gateway();
        }
        boolean blueprint = function.equals("blueprint_var");
        if (!blueprint && !function.equals("var") || args.isEmpty() || !(args.get(0) instanceof String)) {
            return JinjaRenderer.unknown();
        }
        String key = ((String) args.get(0)).toLowerCase(Locale.ROOT);
        Object fallback = args.size() > 1 ? args.get(1) : null;
        if (blueprint) {
            PropertyValue v = context.blueprintVariables().get(key);
            return v == null ? fallback : v instanceof PropertyValue.Scalar s ? s.value() : v.text();
        }
        return context.variables().containsKey(key) ? context.variables().get(key) : fallback;
    }
}
