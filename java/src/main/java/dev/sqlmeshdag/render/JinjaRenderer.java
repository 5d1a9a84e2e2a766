package dev.sqlmeshdag.render;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.PropertyValue;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the static part of a Jinja query: {@code {{ var('x') }}}, {@code {{ blueprint_var('x') }}} and the
 * load-time names ({@code {{ start_ds }}}, {@code {{ this_model }}} ...). Control tags cannot be decided without
 * running Jinja, so they are dropped (keeping every branch, a superset of the tables read) with one warning.
 */
final class JinjaRenderer {

    private static final Pattern TAG = Pattern.compile("\\{\\{-?(.*?)-?}}|\\{%-?(.*?)-?%}|\\{#.*?#}", Pattern.DOTALL);
    private static final Pattern VAR_CALL = Pattern.compile(
            "(var|blueprint_var)\\(\\s*(['\"])([^'\"]+)\\2\\s*(?:,\\s*(.+?))?\\s*\\)", Pattern.DOTALL);
    private static final Pattern NAME = Pattern.compile("[A-Za-z_]\\w*");

    private final RenderContext context;
    private final Map<String, String> loadTime;

    JinjaRenderer(RenderContext context, boolean interval) {
        this.context = context;
        this.loadTime = LoadTimeVariables.of(interval, context.thisModel(), context.gateway());
    }

    String render(String text, Location where, Problems problems) {
        Matcher m = TAG.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        boolean warned = false;
        int copied = 0;
        while (m.find()) {
            out.append(text, copied, m.start());
            copied = m.end();
            Location loc = MacroEvaluator.at(text, m.start(), where);
            if (m.group(1) != null) {
                Optional<String> value = expression(m.group(1).strip());
                if (value.isPresent()) {
                    out.append(value.get());
                    continue;
                }
                problems.warning(loc, "cannot evaluate the Jinja expression {{ " + m.group(1).strip() + " }} "
                        + "while reading the project; it is left out, so lineage may be incomplete. List the tables "
                        + "it reads in the model's depends_on property");
                out.append("NULL");
            } else if (m.group(2) != null && !warned) {
                problems.warning(loc, "Jinja control tags such as {% " + m.group(2).strip() + " %} are not evaluated "
                        + "while reading the project; every branch is kept, so lineage may list extra tables");
                warned = true;
            }
        }
        return out.append(text.substring(copied)).toString();
    }

    /** The text Jinja prints for an expression: strings bare, None as None, like Python's str(). */
    private Optional<String> expression(String expr) {
        Matcher call = VAR_CALL.matcher(expr);
        if (call.matches()) {
            String key = call.group(3).toLowerCase(Locale.ROOT);
            boolean blueprint = call.group(1).equals("blueprint_var");
            Object value = blueprint ? blueprintValue(key) : context.variables().get(key);
            boolean present = blueprint ? context.blueprintVariables().containsKey(key)
                    : context.variables().containsKey(key);
            if (!present) {
                return Optional.of(call.group(4) == null ? "None" : pythonLiteralText(call.group(4)));
            }
            return Optional.of(pythonStr(value));
        }
        if (NAME.matcher(expr).matches()) {
            String key = expr.toLowerCase(Locale.ROOT);
            if (loadTime.containsKey(key)) {
                String sql = loadTime.get(key);
                return Optional.of(key.equals("this_model") ? sql : SqlValues.templateText(sql));
            }
            if (context.variables().containsKey(key)) {
                return Optional.of(pythonStr(context.variables().get(key)));
            }
        }
        return Optional.empty();
    }

    private Object blueprintValue(String key) {
        PropertyValue v = context.blueprintVariables().get(key);
        return v instanceof PropertyValue.Scalar s ? s.value() : v.text();
    }

    private static String pythonLiteralText(String literal) {
        String s = literal.strip();
        if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"') && s.charAt(s.length() - 1) == s.charAt(0)) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    private static String pythonStr(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof List<?> list) {
            return list.stream().map(v -> v instanceof String s ? "'" + s + "'" : pythonStr(v))
                    .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
        }
        return value.toString();
    }
}
