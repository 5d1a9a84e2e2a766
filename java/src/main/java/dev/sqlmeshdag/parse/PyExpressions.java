package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.core.PropertyValue.Scalar;
import dev.sqlmeshdag.parse.PyToken.Kind;
import dev.sqlmeshdag.parse.PyValue.Bool;
import dev.sqlmeshdag.parse.PyValue.CallV;
import dev.sqlmeshdag.parse.PyValue.Dict;
import dev.sqlmeshdag.parse.PyValue.None;
import dev.sqlmeshdag.parse.PyValue.Num;
import dev.sqlmeshdag.parse.PyValue.Ref;
import dev.sqlmeshdag.parse.PyValue.Seq;
import dev.sqlmeshdag.parse.PyValue.Str;
import dev.sqlmeshdag.parse.PyValue.Unknown;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates the small part of Python that model definitions use for names and settings: literals, string
 * concatenation, f-strings, module-level constants and {@code context.var(...)} /
 * {@code context.blueprint_var(...)}. Everything else is left {@link Unknown}; nothing is executed.
 */
final class PyExpressions {

    private final String text;
    private final Map<String, List<PyToken>> constants;
    private final Map<String, Object> variables;
    private final Map<String, PropertyValue> blueprintVariables;
    private final Set<String> evaluating = new HashSet<>();

    /**
     * @param constants module-level {@code NAME = expr} assignments, each as the tokens of its expression
     */
    PyExpressions(String text, Map<String, List<PyToken>> constants, Map<String, Object> variables,
                  Map<String, PropertyValue> blueprintVariables) {
        this.text = text;
        this.constants = constants;
        this.variables = variables == null ? Map.of() : variables;
        this.blueprintVariables = blueprintVariables == null ? Map.of() : blueprintVariables;
    }

    PyExpressions withBlueprint(Map<String, PropertyValue> vars) {
        return new PyExpressions(text, constants, variables, vars);
    }

    /** Evaluates a whole expression; trailing tokens that are not understood make the result Unknown. */
    PyValue eval(List<PyToken> tokens) {
        if (tokens.isEmpty()) {
            return new Unknown("");
        }
        int[] at = {0};
        PyValue v = sum(tokens, at);
        return at[0] == tokens.size() ? v : unknown(tokens);
    }

    private PyValue sum(List<PyToken> t, int[] at) {
        PyValue left = atom(t, at);
        while (at[0] < t.size() && t.get(at[0]).isOp("+")) {
            at[0]++;
            PyValue right = atom(t, at);
            left = left instanceof Str a && right instanceof Str b ? new Str(a.value() + b.value())
                    : new Unknown(source(t, 0, at[0]));
        }
        return left;
    }

    private PyValue atom(List<PyToken> t, int[] at) {
        if (at[0] >= t.size()) {
            return new Unknown("");
        }
        PyToken first = t.get(at[0]);
        int from = at[0];
        PyValue v;
        if (first.kind() == Kind.STRING) {
            v = strings(t, at);
        } else if (first.kind() == Kind.NUMBER) {
            at[0]++;
            v = new Num(first.text());
        } else if ((first.isOp("-")) && at[0] + 1 < t.size() && t.get(at[0] + 1).kind() == Kind.NUMBER) {
            at[0] += 2;
            v = new Num("-" + t.get(at[0] - 1).text());
        } else if (first.kind() == Kind.NAME) {
            v = nameOrCall(t, at);
        } else if (first.isOp("[") || first.isOp("(") || first.isOp("{")) {
            v = bracket(t, at);
        } else {
            at[0] = t.size();
            return new Unknown(source(t, from, t.size()));
        }
        if (at[0] < t.size() && (t.get(at[0]).isOp("[") || t.get(at[0]).isOp(".") || t.get(at[0]).isOp("("))) {
            // Subscripts and method calls on a value (".format(...)", "[0]") need running code.
            at[0] = skipTrailers(t, at[0]);
            return new Unknown(source(t, from, at[0]));
        }
        return v;
    }

    private PyValue strings(List<PyToken> t, int[] at) {
        StringBuilder sb = new StringBuilder();
        boolean known = true;
        int from = at[0];
        while (at[0] < t.size() && t.get(at[0]).kind() == Kind.STRING) {
            PyToken s = t.get(at[0]++);
            String part = s.fString() ? fString(s.value()) : s.value();
            if (part == null) {
                known = false;
            } else {
                sb.append(part);
            }
        }
        return known ? new Str(sb.toString()) : new Unknown(source(t, from, at[0]));
    }

    /** Fills an f-string's replacement fields, or returns null when one of them cannot be known. */
    private String fString(String template) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if ((c == '{' || c == '}') && i + 1 < template.length() && template.charAt(i + 1) == c) {
                out.append(c);
                i += 2;
            } else if (c == '{') {
                int close = fieldEnd(template, i + 1);
                if (close < 0) {
                    return null;
                }
                String value = field(template.substring(i + 1, close));
                if (value == null) {
                    return null;
                }
                out.append(value);
                i = close + 1;
            } else if (c == '\\' && i + 1 < template.length()) {
                out.append(template.charAt(i + 1) == 'n' ? "\n" : String.valueOf(template.charAt(i + 1)));
                i += 2;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int fieldEnd(String template, int from) {
        int depth = 0;
        char quote = 0;
        for (int i = from; i < template.length(); i++) {
            char c = template.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if ((c == ')' || c == ']') && depth > 0) {
                depth--;
            } else if (c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }

    private String field(String expression) {
        String expr = expression;
        int bang = topLevelIndex(expr, '!');
        int colon = topLevelIndex(expr, ':');
        if (colon >= 0) {
            // A format spec would need Python's formatting rules; only the plain form is read.
            return null;
        }
        if (bang >= 0 && !expr.startsWith("=", bang + 1)) {
            String conversion = expr.substring(bang + 1).strip();
            if (!conversion.equals("s")) {
                return null;
            }
            expr = expr.substring(0, bang);
        }
        try {
            List<PyToken> tokens = PyLexer.tokenize(expr);
            List<PyToken> body = tokens.stream().filter(tk -> tk.kind() != Kind.NEWLINE).toList();
            return new PyExpressions(expr, constants, variables, blueprintVariables).eval(body).str();
        } catch (ParseException e) {
            return null;
        }
    }

    private static int topLevelIndex(String expr, char wanted) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if ("([{".indexOf(c) >= 0) {
                depth++;
            } else if (")]}".indexOf(c) >= 0) {
                depth--;
            } else if (c == wanted && depth == 0 && !(c == '!' && i + 1 < expr.length() && expr.charAt(i + 1) == '=')) {
                return i;
            }
        }
        return -1;
    }

    private PyValue nameOrCall(List<PyToken> t, int[] at) {
        int from = at[0];
        StringBuilder dotted = new StringBuilder(t.get(at[0]++).text());
        while (at[0] + 1 < t.size() && t.get(at[0]).isOp(".") && t.get(at[0] + 1).kind() == Kind.NAME) {
            dotted.append('.').append(t.get(at[0] + 1).text());
            at[0] += 2;
        }
        String name = dotted.toString();
        if (at[0] < t.size() && t.get(at[0]).isOp("(")) {
            int close = PythonSource.matching(t, at[0]);
            List<List<PyToken>> items = PythonSource.splitArgs(t.subList(at[0] + 1, close));
            at[0] = close + 1;
            return call(name, items, source(t, from, at[0]));
        }
        return switch (name) {
            case "True" -> new Bool(true);
            case "False" -> new Bool(false);
            case "None" -> new None();
            default -> constant(name);
        };
    }

    private PyValue constant(String name) {
        List<PyToken> definition = constants.get(name);
        if (definition == null || !evaluating.add(name)) {
            return new Ref(name);
        }
        try {
            PyValue v = eval(definition);
            return v instanceof Unknown ? new Ref(name) : v;
        } finally {
            evaluating.remove(name);
        }
    }

    private PyValue call(String callee, List<List<PyToken>> items, String written) {
        List<PyValue> args = new ArrayList<>();
        Map<String, PyValue> kwargs = new LinkedHashMap<>();
        for (List<PyToken> item : items) {
            if (item.size() >= 2 && item.get(0).kind() == Kind.NAME && item.get(1).isOp("=")) {
                kwargs.put(item.get(0).text(), eval(item.subList(2, item.size())));
            } else if (!item.isEmpty() && (item.get(0).isOp("*") || item.get(0).isOp("**"))) {
                return new Unknown(written);
            } else {
                args.add(eval(item));
            }
        }
        if (callee.equals("dict") && args.isEmpty()) {
            return new Dict(kwargs);
        }
        if (callee.equals("context.var") || callee.equals("evaluator.var")) {
            return lookup(args, kwargs, written, false);
        }
        if (callee.equals("context.blueprint_var") || callee.equals("evaluator.blueprint_var")) {
            return lookup(args, kwargs, written, true);
        }
        return new CallV(callee, args, kwargs);
    }

    /** {@code var(name, default)} as SQLMesh resolves it while loading: lower-cased name, then the default. */
    private PyValue lookup(List<PyValue> args, Map<String, PyValue> kwargs, String written, boolean blueprint) {
        PyValue name = args.isEmpty() ? kwargs.get("var_name") : args.get(0);
        PyValue fallback = args.size() > 1 ? args.get(1) : kwargs.getOrDefault("default", new None());
        if (!(name instanceof Str key)) {
            return new Unknown(written);
        }
        String lower = key.value().toLowerCase(Locale.ROOT);
        if (blueprint) {
            PropertyValue v = blueprintVariables.get(lower);
            return v == null ? fallback : fromProperty(v);
        }
        return variables.containsKey(lower) ? fromJava(variables.get(lower)) : fallback;
    }

    private PyValue bracket(List<PyToken> t, int[] at) {
        int open = at[0];
        int close = PythonSource.matching(t, open);
        at[0] = close + 1;
        List<PyToken> inner = t.subList(open + 1, close);
        List<List<PyToken>> items = PythonSource.splitArgs(inner);
        String kind = t.get(open).text();
        if (kind.equals("{")) {
            return dictOrSet(items, source(t, open, close + 1));
        }
        boolean hasComma = inner.stream().anyMatch(tk -> tk.isOp(",")) && depthZeroComma(inner);
        if (kind.equals("(") && !hasComma && items.size() == 1) {
            return eval(items.get(0));
        }
        List<PyValue> values = new ArrayList<>();
        for (List<PyToken> item : items) {
            values.add(eval(item));
        }
        return new Seq(values, kind.equals("("));
    }

    private static boolean depthZeroComma(List<PyToken> inner) {
        int depth = 0;
        for (PyToken tk : inner) {
            if (tk.opens()) {
                depth++;
            } else if (tk.closes()) {
                depth--;
            } else if (depth == 0 && tk.isOp(",")) {
                return true;
            }
        }
        return false;
    }

    private PyValue dictOrSet(List<List<PyToken>> items, String written) {
        Map<String, PyValue> entries = new LinkedHashMap<>();
        List<PyValue> set = new ArrayList<>();
        for (List<PyToken> item : items) {
            int colon = PythonSource.topLevel(item, ":");
            if (colon < 0) {
                set.add(eval(item));
                continue;
            }
            PyValue key = eval(item.subList(0, colon));
            if (!(key instanceof Str k)) {
                return new Unknown(written);
            }
            entries.put(k.value(), eval(item.subList(colon + 1, item.size())));
        }
        if (!set.isEmpty() && !entries.isEmpty()) {
            return new Unknown(written);
        }
        return set.isEmpty() ? new Dict(entries) : new Seq(set, false);
    }

    private static int skipTrailers(List<PyToken> t, int i) {
        while (i < t.size()) {
            PyToken tk = t.get(i);
            if (tk.isOp("(") || tk.isOp("[")) {
                i = PythonSource.matching(t, i) + 1;
            } else if (tk.isOp(".") && i + 1 < t.size()) {
                i += 2;
            } else {
                break;
            }
        }
        return i;
    }

    static PyValue fromJava(Object o) {
        if (o == null) {
            return new None();
        }
        if (o instanceof Boolean b) {
            return new Bool(b);
        }
        if (o instanceof Number n) {
            return new Num(n.toString());
        }
        if (o instanceof List<?> list) {
            return new Seq(list.stream().map(PyExpressions::fromJava).toList(), false);
        }
        if (o instanceof Map<?, ?> map) {
            Map<String, PyValue> entries = new LinkedHashMap<>();
            map.forEach((k, v) -> entries.put(String.valueOf(k), fromJava(v)));
            return new Dict(entries);
        }
        return new Str(o.toString());
    }

    private static PyValue fromProperty(PropertyValue v) {
        if (v instanceof Scalar s) {
            if (s.quoted()) {
                return new Str(s.value());
            }
            if (s.value().equalsIgnoreCase("true") || s.value().equalsIgnoreCase("false")) {
                return new Bool(s.value().equalsIgnoreCase("true"));
            }
            return s.value().matches("-?\\d+(\\.\\d+)?") ? new Num(s.value()) : new Str(s.value());
        }
        return new Unknown(v.text());
    }

    private String source(List<PyToken> t, int from, int to) {
        if (from >= to || from >= t.size()) {
            return "";
        }
        int start = t.get(from).start();
        int end = t.get(Math.min(to, t.size()) - 1).end();
        if (end <= text.length() && text.startsWith(t.get(from).text(), start)) {
            return text.substring(start, end);
        }
        // Tokens of a module constant read while filling an f-string come from the file, not the field.
        StringBuilder sb = new StringBuilder();
        for (PyToken tk : t.subList(from, Math.min(to, t.size()))) {
            sb.append(sb.isEmpty() ? "" : " ").append(tk.text());
        }
        return sb.toString();
    }

    private PyValue unknown(List<PyToken> t) {
        return new Unknown(source(t, 0, t.size()));
    }
}
