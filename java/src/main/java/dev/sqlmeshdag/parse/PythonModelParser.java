package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.ModelKind;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.Property;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.core.PropertyValue.Call;
import dev.sqlmeshdag.core.PropertyValue.ListValue;
import dev.sqlmeshdag.core.PropertyValue.Raw;
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
import dev.sqlmeshdag.parse.PythonSource.Function;
import dev.sqlmeshdag.parse.PythonSource.Line;
import dev.sqlmeshdag.sql.Dialect;
import dev.sqlmeshdag.sql.SqlToken;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads {@code @model(...)} Python models as text, never executing them. */
public final class PythonModelParser {

    /** Decorator arguments that steer loading rather than describe the model. */
    private static final Set<String> NOT_PROPERTIES = Set.of("is_sql");

    private final String file;
    private final String text;
    private final LineIndex lines;
    private final Problems problems;
    private final Map<String, Object> variables;
    private PythonSource source;

    private PythonModelParser(String file, String text, Map<String, Object> variables, Problems problems) {
        this.file = file;
        this.text = text;
        this.lines = new LineIndex(file, text);
        this.variables = variables == null ? Map.of() : variables;
        this.problems = problems;
    }

    /**
     * @param variables the project's variables (for {@code context.var(...)} in f-strings), lower-case keys
     * @return one ModelSource per model (or blueprint entry) in the file; empty when the file defines none
     */
    public static List<ModelSource> parse(String file, String text, Map<String, Object> variables, Problems problems) {
        PythonModelParser parser = new PythonModelParser(file, text, variables, problems);
        try {
            return parser.run();
        } catch (ParseException e) {
            problems.error(parser.lines.at(e.offset), e.getMessage());
            return List.of();
        } catch (RuntimeException e) {
            // A reader bug must cost one model with a clear pointer, not the whole project run.
            problems.error(new Location(file, 1, 1), "this Python model file could not be read (" + e
                    + "); please report it together with the file");
            return List.of();
        }
    }

    private List<ModelSource> run() throws ParseException {
        int binary = TextCheck.firstBinaryChar(text);
        if (binary >= 0) {
            throw new ParseException(binary, TextCheck.binaryMessage(text, binary));
        }
        source = new PythonSource(PyLexer.tokenize(text, lines));
        List<ModelSource> models = new ArrayList<>();
        for (Function f : source.functions) {
            for (Line decorator : f.decorators()) {
                if (isModelDecorator(decorator)) {
                    models.addAll(model(f, decorator));
                }
            }
        }
        return models;
    }

    /** {@code @model(...)} or {@code @sqlmesh.model(...)}, as the decorator is imported from sqlmesh. */
    private static boolean isModelDecorator(Line line) {
        List<PyToken> t = line.tokens();
        int i = 1;
        StringBuilder name = new StringBuilder();
        while (i < t.size() && (t.get(i).kind() == Kind.NAME || t.get(i).isOp("."))) {
            name.append(t.get(i++).text());
        }
        String n = name.toString();
        return (n.equals("model") || n.equals("sqlmesh.model")) && i < t.size() && t.get(i).isOp("(");
    }

    private List<ModelSource> model(Function f, Line decorator) throws ParseException {
        List<PyToken> t = decorator.tokens();
        int open = indexOfOpen(t);
        int close = PythonSource.matching(t, open);
        if (!t.get(close).isOp(")")) {
            throw new ParseException(t.get(open).start(), "'(' is never closed; add the missing ')'");
        }
        PyExpressions expressions = new PyExpressions(text, source.constants, variables, Map.of());
        Map<String, PyToken> keyTokens = new LinkedHashMap<>();
        Map<String, PyValue> args = decoratorArguments(t.subList(open + 1, close), expressions, keyTokens);
        Location at = lines.at(decorator.first().start());
        boolean isSql = args.get("is_sql") instanceof Bool b && b.value();
        if (!isSql && !args.containsKey("columns")) {
            throw new ParseException(decorator.first().start(), "a Python model must declare its output columns; "
                    + "add columns={\"column\": \"type\", ...} to @model(...)");
        }
        Map<String, Property> properties = properties(args, keyTokens, at);
        List<Map<String, PropertyValue>> entries = blueprintEntries(args.get("blueprints"), keyTokens, at);
        List<ModelSource> out = new ArrayList<>();
        for (Map<String, PropertyValue> entry : entries) {
            out.add(build(f, at, properties, args, isSql, entry, expressions.withBlueprint(entry), keyTokens));
        }
        return out;
    }

    private static int indexOfOpen(List<PyToken> t) {
        for (int i = 0; i < t.size(); i++) {
            if (t.get(i).isOp("(")) {
                return i;
            }
        }
        return -1;
    }

    private Map<String, PyValue> decoratorArguments(List<PyToken> inner, PyExpressions expressions,
                                                    Map<String, PyToken> keyTokens) {
        Map<String, PyValue> args = new LinkedHashMap<>();
        List<List<PyToken>> items = PythonSource.splitArgs(inner);
        for (int i = 0; i < items.size(); i++) {
            List<PyToken> item = items.get(i);
            if (item.size() >= 2 && item.get(0).kind() == Kind.NAME && item.get(1).isOp("=")) {
                String key = item.get(0).text().toLowerCase(Locale.ROOT);
                keyTokens.put(key, item.get(0));
                args.put(key, expressions.eval(item.subList(2, item.size())));
            } else if (i == 0 && !item.isEmpty() && !item.get(0).isOp("**")) {
                keyTokens.put("name", item.get(0));
                args.put("name", expressions.eval(item));
            } else if (!item.isEmpty()) {
                problems.unresolvedModel(lines.at(item.get(0).start()), "this @model argument cannot be read without "
                        + "running Python and is ignored; pass each setting as keyword=value");
            }
        }
        return args;
    }

    private Map<String, Property> properties(Map<String, PyValue> args, Map<String, PyToken> keyTokens, Location at)
            throws ParseException {
        Map<String, Property> out = new LinkedHashMap<>();
        for (Map.Entry<String, PyValue> e : args.entrySet()) {
            String key = e.getKey();
            if (NOT_PROPERTIES.contains(key)) {
                continue;
            }
            PyToken keyToken = keyTokens.get(key);
            Location where = keyToken == null ? at : lines.at(keyToken.start());
            if (e.getValue() instanceof Ref r && !namesItself(r)) {
                // an imported name or a variable: its value exists only when Python runs, its text is no value
                problems.unresolvedModel(where, "@model argument " + key + "=" + r.dotted() + " is a Python name "
                        + "whose value is only known when Python runs, so " + key + " cannot be read; write the "
                        + "value itself, or assign it to a constant in this file");
                continue;
            }
            PropertyValue value = switch (key) {
                case "kind" -> kind(e.getValue(), keyToken);
                case "name" -> asName(e.getValue());
                case "columns" -> columns(e.getValue());
                case "audits", "signals" -> calls(e.getValue());
                default -> convert(e.getValue());
            };
            out.put(key, new Property(key, value, where));
        }
        return out;
    }

    private static PropertyValue asName(PyValue v) {
        return v instanceof Str s ? new Scalar(s.value(), false) : convert(v);
    }

    private PropertyValue kind(PyValue v, PyToken keyToken) throws ParseException {
        String name;
        Map<String, PropertyValue> kindArgs = new LinkedHashMap<>();
        if (v instanceof Str s) {
            name = s.value();
        } else if (v instanceof Ref r) {
            name = lastPart(r.dotted());
        } else if (v instanceof Dict d && d.entries().containsKey("name")) {
            name = kindName(d.entries().get("name"));
            d.entries().forEach((k, val) -> {
                if (!k.equals("name")) {
                    kindArgs.put(k.toLowerCase(Locale.ROOT), convert(val));
                }
            });
        } else if (v instanceof CallV c && ModelKind.ofPythonClass(lastPart(c.callee())).isPresent()) {
            name = ModelKind.ofPythonClass(lastPart(c.callee())).orElseThrow().name();
            c.kwargs().forEach((k, val) -> kindArgs.put(k.toLowerCase(Locale.ROOT), convert(val)));
        } else {
            problems.unresolvedModel(lines.at(keyToken.start()), "this kind cannot be read without running Python; write "
                    + "kind=dict(name=ModelKindName.FULL, ...) or kind=\"FULL\"");
            return convert(v);
        }
        String upper = name == null ? "" : name.toUpperCase(Locale.ROOT);
        if (ModelKind.named(upper).isEmpty()) {
            throw new ParseException(keyToken.start(), "unknown model kind '" + name + "'; use one of "
                    + String.join(", ", ModelKind.names()));
        }
        return kindArgs.isEmpty() ? new Scalar(upper, false) : new Call(upper, kindArgs, List.of());
    }

    private static String kindName(PyValue v) {
        if (v instanceof Ref r) {
            return lastPart(r.dotted());
        }
        return v instanceof Str s ? s.value() : null;
    }

    /** {@code columns={"id": "int"}} as the same {@code (id int, ...)} items a SQL model's columns give. */
    private static PropertyValue columns(PyValue v) {
        // a type given as Python (exp.DataType.build(...)) is no SQL text: kept as the dict it is, unread
        if (!(v instanceof Dict d) || d.entries().values().stream().anyMatch(type -> !(type instanceof Str))) {
            return convert(v);
        }
        List<PropertyValue> items = new ArrayList<>();
        d.entries().forEach((k, type) -> items.add(new Raw(k + " " + type.str())));
        return new ListValue(items, true);
    }

    /** Audits and signals: {@code "name"} or {@code ("name", {"arg": value})}, as SQL's {@code name(arg := value)}. */
    private static PropertyValue calls(PyValue v) {
        if (!(v instanceof Seq seq)) {
            return convert(v);
        }
        List<PropertyValue> items = new ArrayList<>();
        for (PyValue item : seq.items()) {
            if (item instanceof Str s) {
                items.add(new Scalar(s.value(), false));
            } else if (item instanceof Seq pair && pair.items().size() == 2 && pair.items().get(0) instanceof Str n
                    && pair.items().get(1) instanceof Dict args) {
                Map<String, PropertyValue> converted = new LinkedHashMap<>();
                args.entries().forEach((k, val) -> converted.put(k.toLowerCase(Locale.ROOT), convert(val)));
                items.add(new Call(n.value(), converted, List.of()));
            } else {
                items.add(convert(item));
            }
        }
        return new ListValue(items, true);
    }

    static PropertyValue convert(PyValue v) {
        if (v instanceof Str s) {
            return new Scalar(s.value(), true);
        } else if (v instanceof Num n) {
            return new Scalar(n.text(), false);
        } else if (v instanceof Bool b) {
            return new Scalar(b.value() ? "true" : "false", false);
        } else if (v instanceof None) {
            return new Scalar("null", false);
        } else if (v instanceof Seq s) {
            return new ListValue(s.items().stream().map(PythonModelParser::convert).toList(), s.tuple());
        } else if (v instanceof Dict d) {
            Map<String, PropertyValue> args = new LinkedHashMap<>();
            d.entries().forEach((k, val) -> args.put(k.toLowerCase(Locale.ROOT), convert(val)));
            return new Call("", args, List.of());
        } else if (v instanceof CallV c) {
            Map<String, PropertyValue> args = new LinkedHashMap<>();
            c.kwargs().forEach((k, val) -> args.put(k.toLowerCase(Locale.ROOT), convert(val)));
            return new Call(c.callee(), args, c.args().stream().map(PythonModelParser::convert).toList());
        } else if (v instanceof Ref r) {
            return new Scalar(namesItself(r) ? lastPart(r.dotted()) : r.dotted(), false);
        }
        return new Raw(((Unknown) v).text());
    }

    /** An enum member such as {@code OnDestructiveChange.WARN} or {@code ModelKindName.FULL}: it stands for its name. */
    private static boolean namesItself(Ref r) {
        return r.dotted().contains(".") && Character.isUpperCase(r.dotted().charAt(0));
    }

    private static String lastPart(String dotted) {
        return dotted.substring(dotted.lastIndexOf('.') + 1);
    }

    private List<Map<String, PropertyValue>> blueprintEntries(PyValue blueprints, Map<String, PyToken> keyTokens,
                                                               Location at) throws ParseException {
        if (blueprints == null || blueprints instanceof None) {
            return List.of(Map.of());
        }
        PropertyValue value;
        if (blueprints instanceof Str s) {
            // SQLMesh also accepts the SQL form as a string: "((customer := a), (customer := b))"
            value = sqlValue(s.value(), keyTokens.get("blueprints"));
        } else {
            value = convert(blueprints);
        }
        try {
            return Blueprints.entries(value);
        } catch (IllegalArgumentException e) {
            PyToken key = keyTokens.get("blueprints");
            throw new ParseException(key == null ? 0 : key.start(), e.getMessage());
        }
    }

    private PropertyValue sqlValue(String sql, PyToken near) throws ParseException {
        LineIndex index = new LineIndex(file, sql);
        try {
            List<SqlToken> tokens = ModelTokens.read(sql, Dialect.GENERIC);
            if (tokens.isEmpty()) {
                return new Raw(sql);
            }
            return new ModelBlockReader(sql, index, new Problems()).readValue(tokens);
        } catch (ParseException e) {
            throw new ParseException(near == null ? 0 : near.start(), "cannot read blueprints \"" + sql + "\": "
                    + e.getMessage());
        }
    }

    private ModelSource build(Function f, Location at, Map<String, Property> properties, Map<String, PyValue> args,
                              boolean isSql, Map<String, PropertyValue> blueprint, PyExpressions expressions,
                              Map<String, PyToken> keyTokens) {
        String query = null;
        Location queryLocation = null;
        if (isSql) {
            PyToken literal = returnedLiteral(f);
            if (literal == null) {
                problems.unresolvedModel(at, "the SQL this is_sql model returns is built when Python runs, so its upstream "
                        + "models cannot be read; return a plain string literal or add depends_on=[...]");
            } else {
                query = literal.value();
                queryLocation = lines.at(literal.start());
            }
        }
        String name = args.get("name") instanceof Str s ? s.value() : null;
        List<String> dependencies;
        if (args.containsKey("depends_on")) {
            dependencies = declaredDependencies(args.get("depends_on"), keyTokens.get("depends_on"));
        } else if (isSql && query != null) {
            dependencies = List.of();
        } else {
            dependencies = tableCalls(f, expressions, name);
        }
        return new ModelSource(file, at, true, properties, List.of(), query, queryLocation, List.of(),
                Map.copyOf(blueprint), dependencies, false);
    }

    private List<String> declaredDependencies(PyValue v, PyToken key) {
        List<String> out = new ArrayList<>();
        List<PyValue> items = v instanceof Seq s ? s.items() : List.of(v);
        for (PyValue item : items) {
            if (item instanceof Str s) {
                out.add(s.value());
            } else {
                problems.warning(lines.at(key.start()), "depends_on entry '" + convert(item).text()
                        + "' is not a string and is ignored; list table names as strings");
            }
        }
        return out;
    }

    /** The string literal of the function's only {@code return}, or null when it returns anything else. */
    private static PyToken returnedLiteral(Function f) {
        List<Line> returns = new ArrayList<>();
        for (Line line : allLines(f)) {
            if (line.first().isName("return")) {
                returns.add(line);
            }
        }
        if (returns.size() != 1) {
            return null;
        }
        List<PyToken> t = returns.get(0).tokens();
        boolean parenthesised = t.size() == 4 && t.get(1).isOp("(") && t.get(3).isOp(")");
        PyToken literal = t.size() == 2 ? t.get(1) : parenthesised ? t.get(2) : null;
        return literal != null && literal.kind() == Kind.STRING && !literal.fString() ? literal : null;
    }

    private static List<Line> allLines(Function f) {
        List<Line> out = new ArrayList<>();
        List<PyToken> def = f.def().tokens();
        int colon = lastTopLevelColon(def);
        if (colon >= 0 && colon + 1 < def.size()) {
            // "def f(context): return ..." keeps its body on the def line.
            out.add(new Line(def.subList(colon + 1, def.size()), def.get(colon + 1).col()));
        }
        out.addAll(f.body());
        return out;
    }

    private static int lastTopLevelColon(List<PyToken> t) {
        int found = -1;
        int depth = 0;
        for (int i = 0; i < t.size(); i++) {
            if (t.get(i).opens()) {
                depth++;
            } else if (t.get(i).closes()) {
                depth--;
            } else if (depth == 0 && t.get(i).isOp(":") && found < 0) {
                found = i;
            }
        }
        return found;
    }

    /**
     * Tables the model reads through {@code context.table("x")} / {@code context.resolve_table("x")}, in its own
     * body and in the module's functions it calls, as SQLMesh finds them while loading.
     */
    private List<String> tableCalls(Function model, PyExpressions expressions, String selfName) {
        Set<String> found = new LinkedHashSet<>();
        for (Function f : reachableFunctions(model)) {
            for (Line line : allLines(f)) {
                scanTableCalls(line.tokens(), expressions, found);
            }
        }
        if (selfName != null) {
            found.remove(selfName);
        }
        return List.copyOf(found);
    }

    private List<Function> reachableFunctions(Function model) {
        Map<String, Function> byName = new LinkedHashMap<>();
        for (Function f : source.functions) {
            if (f.def().indent() == 1) {
                byName.putIfAbsent(f.name(), f);
            }
        }
        List<Function> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<Function> todo = new ArrayList<>(List.of(model));
        seen.add(model.name());
        while (!todo.isEmpty()) {
            Function f = todo.remove(todo.size() - 1);
            out.add(f);
            for (Line line : allLines(f)) {
                for (PyToken tk : line.tokens()) {
                    Function callee = byName.get(tk.text());
                    if (tk.kind() == Kind.NAME && callee != null && seen.add(callee.name())) {
                        todo.add(callee);
                    }
                }
            }
        }
        return out;
    }

    private void scanTableCalls(List<PyToken> t, PyExpressions expressions, Set<String> found) {
        for (int i = 0; i + 3 < t.size(); i++) {
            boolean call = t.get(i).isName("context") && t.get(i + 1).isOp(".")
                    && (t.get(i + 2).isName("table") || t.get(i + 2).isName("resolve_table")) && t.get(i + 3).isOp("(")
                    && (i == 0 || !t.get(i - 1).isOp("."));
            if (!call) {
                continue;
            }
            int close = PythonSource.matching(t, i + 3);
            List<List<PyToken>> items = PythonSource.splitArgs(t.subList(i + 4, close));
            List<PyToken> arg = firstArgument(items);
            PyValue v = arg == null ? new Unknown("") : expressions.eval(arg);
            if (v instanceof Str s) {
                found.add(s.value());
            } else {
                String written = text.substring(t.get(i).start(), t.get(close).end());
                problems.unresolvedModel(lines.at(t.get(i).start()), "cannot tell which table " + written
                        + " reads without running the model (SQLMesh needs it resolvable at load time too); "
                        + "add depends_on=[\"schema.table\"] to @model(...)");
            }
        }
    }

    private static List<PyToken> firstArgument(List<List<PyToken>> items) {
        for (List<PyToken> item : items) {
            boolean keyword = item.size() >= 2 && item.get(0).kind() == Kind.NAME && item.get(1).isOp("=");
            if (!keyword) {
                return item;
            }
            if (item.get(0).isName("model_name")) {
                return item.subList(2, item.size());
            }
        }
        return null;
    }
}
