package dev.sqlmeshdag.render;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;

/** Renders SQLMesh macros with the values SQLMesh uses at load time ({@code @start_ds} as 1970-01-01 ...). */
public final class MacroRenderer {

    private final RenderContext context;

    public MacroRenderer(RenderContext context) {
        this.context = context;
    }

    /** The model's query with {@code @DEF}s from its statements applied and every load-time macro evaluated. */
    public String renderQuery(ModelSource source, Problems problems) {
        throw new UnsupportedOperationException("TODO");
    }

    /** A piece of text such as a model name holding {@code @{var}} / {@code @var} references. */
    public String renderText(String text, Location where, Problems problems) {
        throw new UnsupportedOperationException("TODO");
    }
}
