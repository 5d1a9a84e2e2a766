package dev.sqlmeshdag.render;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.ModelKind;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.sql.Dialect;
import dev.sqlmeshdag.sql.SqlLexer;
import dev.sqlmeshdag.sql.SqlToken;
import dev.sqlmeshdag.sql.SqlToken.Kind;
import java.util.Locale;
import java.util.Optional;

/** Renders SQLMesh macros with the values SQLMesh uses at load time ({@code @start_ds} as 1970-01-01 ...). */
public final class MacroRenderer {

    private final RenderContext context;

    public MacroRenderer(RenderContext context) {
        this.context = context;
    }

    /** The model's query with {@code @DEF}s from its statements applied and every load-time macro evaluated. */
    public String renderQuery(ModelSource source, Problems problems) {
        if (source.query() == null) {
            return null;
        }
        String kind = kindOf(source);
        // @start_* and @end_* exist only for the kinds SQLMesh renders with an interval
        boolean interval = ModelKind.named(kind).map(ModelKind::intervals).orElse(true);
        MacroEvaluator evaluator = new MacroEvaluator(context, problems, interval, kind);
        Location statementsAt = source.location();
        for (String statement : source.preStatements()) {
            evaluator.applyDefinitions(statement, statementsAt);
        }
        Location where = source.queryLocation() != null ? source.queryLocation() : source.location();
        String query = source.query();
        if (source.jinja()) {
            // SQLMesh looks for variable uses in a Jinja query's var() calls, not in the SQL it renders to
            evaluator.noteUses(JinjaRenderer.referencedVariables(query));
            query = new JinjaRenderer(context, interval).render(query, where, problems);
            return evaluator.renderUnscanned(query, where);
        }
        return evaluator.render(query, where);
    }

    /**
     * Whether SQLMesh's macro evaluator changes this query: it holds a macro variable or call, or a quoted name with
     * a {@code @} reference in it. SQLMesh then writes the query back to SQL and parses it again, which in some
     * dialects changes its CTE scopes (see {@code TableExtractor.tables}).
     */
    public static boolean substitutesMacros(String query, String dialect) {
        if (query == null || query.indexOf('@') < 0) {
            return false;
        }
        Dialect d = Dialect.of(dialect).orElse(Dialect.GENERIC);
        for (SqlToken t : SqlLexer.tokens(query, d)) {
            boolean macro = t.is(Kind.MACRO) && !t.text().startsWith("@@") && t.text().length() > 1;
            boolean quotedReference = t.is(Kind.IDENTIFIER)
                    && t.text().matches("(?s).*@[{\\w].*");
            if (macro || quotedReference) {
                return true;
            }
        }
        return false;
    }

    /** A piece of text such as a model name holding {@code @{var}} / {@code @var} references. */
    public String renderText(String text, Location where, Problems problems) {
        if (text == null || text.indexOf('@') < 0) {
            return text;
        }
        return new MacroEvaluator(context, problems, true, "VIEW").renderName(text, where);
    }

    /** The model's kind name, else {@code model_defaults.kind}, else VIEW as SQLMesh defaults. */
    private String kindOf(ModelSource source) {
        Optional<PropertyValue> kind = source.value("kind");
        String name = kind.map(MacroRenderer::kindName).orElse(context.defaultKind());
        return name == null ? "VIEW" : name.toUpperCase(Locale.ROOT);
    }

    private static String kindName(PropertyValue value) {
        if (value instanceof PropertyValue.Call call) {
            return call.name();
        }
        if (value instanceof PropertyValue.Scalar scalar) {
            return scalar.value();
        }
        String text = value.text().strip();
        int paren = text.indexOf('(');
        return paren > 0 ? text.substring(0, paren).strip() : text;
    }
}
