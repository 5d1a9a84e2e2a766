package dev.sqlmeshdag.render;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.lineage.UnsettledNames;
import dev.sqlmeshdag.sql.Dialect;
import dev.sqlmeshdag.sql.SqlLexer;
import dev.sqlmeshdag.sql.SqlToken;
import dev.sqlmeshdag.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Expands SQLMesh macros in SQL text the way SQLMesh does while loading a project, working on tokens so strings and
 * comments are never touched. Variables resolve in SQLMesh's order: lambda arguments, then {@code @DEF} and
 * built-in locals, then blueprint variables, then config variables.
 */
final class MacroEvaluator {

    /** Built-ins whose result is an expression that cannot read tables beyond those in their arguments. */
    private static final Set<String> EXPRESSION_BUILTINS = Set.of("GENERATE_SURROGATE_KEY", "SAFE_ADD", "SAFE_SUB",
            "SAFE_DIV", "HAVERSINE_DISTANCE", "PIVOT", "REDUCE", "FILTER", "RESOLVE_TEMPLATE");

    /**
     * SQLMesh's template pattern (Python's {@code string.Template} with {@code @} as delimiter): {@code @@} is an
     * escaped {@code @}, {@code @name} takes the longest ASCII identifier, {@code @{name}} a braced one; any other
     * {@code @} is left alone.
     */
    private static final Pattern TEMPLATE = Pattern.compile(
            "@(?:(@)|([_a-zA-Z][_a-zA-Z0-9]*)|\\{([_a-zA-Z][_a-zA-Z0-9]*)})");

    /** A macro argument: its text and where it starts, for messages. */
    record Arg(String text, Location where) {
    }

    /** {@code @DEF(name, (a, b) -> body)}: a macro defined in SQL. */
    private record Lambda(List<String> params, Arg body) {
    }

    private final Dialect dialect;
    private final RenderContext context;
    private final Problems problems;
    private final Map<String, String> locals = new HashMap<>();
    private final Map<String, Lambda> sqlMacros = new HashMap<>();
    /**
     * The project variables the model uses, as SQLMesh finds them to build the model's environment: only these
     * reach its template. A use by {@code @name} or {@code @VAR('name')} counts in any case; a use inside an
     * identifier ({@code @{name}}, {@code tbl_@name}, {@code "@name"}) is looked up as written, so only lower case
     * counts. ({@code "@Src"} alone stays unfilled in SQLMesh; beside {@code @src} elsewhere it is filled.)
     */
    private final Set<String> usedVariables = new HashSet<>();
    private final boolean interval;
    private final String kind;

    MacroEvaluator(RenderContext context, Problems problems, boolean interval, String kind) {
        this.dialect = Dialect.of(context.dialect()).orElse(Dialect.GENERIC);
        this.context = context;
        this.problems = problems;
        this.interval = interval;
        this.kind = kind;
        locals.putAll(LoadTimeVariables.of(interval, context.thisModel(), context.gateway()));
    }

    /** Renders {@code text}, which starts at {@code where}. */
    String render(String text, Location where) {
        noteUses(text);
        return renderUnscanned(text, where);
    }

    /** Renders text whose variable uses were already recorded (see {@link #noteUses(Set)}). */
    String renderUnscanned(String text, Location where) {
        return render(text, where, Map.of(), false);
    }

    /** Records variables the model uses elsewhere than in the text this evaluator is given. */
    void noteUses(Set<String> names) {
        usedVariables.addAll(names);
    }

    /** Renders a name: every variable is spliced in as text, as SQLMesh does inside identifiers. */
    String renderName(String text, Location where) {
        noteUses(text);
        return render(text, where, Map.of(), true);
    }

    /** Runs the {@code @DEF(...)} calls of a statement so later text sees them; the rest is not evaluated. */
    void applyDefinitions(String statement, Location where) {
        noteUses(statement);
        List<SqlToken> tokens = SqlLexer.tokensWithComments(statement, dialect);
        for (int k = 0; k + 1 < tokens.size(); k++) {
            SqlToken t = tokens.get(k);
            if (t.is(Kind.MACRO) && t.text().equalsIgnoreCase("@DEF") && tokens.get(k + 1).is("(")) {
                int close = matching(tokens, k + 1);
                call("DEF", args(statement, tokens, k + 1, close, where), at(statement, t.start(), where), false,
                        false, Map.of());
                k = close;
            }
        }
    }

    private String render(String text, Location where, Map<String, String> lambdaVars, boolean nameMode) {
        if (lambdaVars.isEmpty() && text.indexOf('@') < 0) {
            return text;
        }
        List<SqlToken> tokens = SqlLexer.tokensWithComments(text, dialect);
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        int k = 0;
        while (k < tokens.size()) {
            SqlToken t = tokens.get(k);
            if (t.is(Kind.WORD) && !lambdaVars.isEmpty() && isLambdaVar(tokens, k, lambdaVars)) {
                out.append(text, copied, t.start()).append(lambdaVars.get(t.text().toLowerCase(Locale.ROOT)));
                copied = t.end();
                k++;
                continue;
            }
            if (t.is(Kind.IDENTIFIER) && t.text().indexOf('@') >= 0) {
                out.append(text, copied, t.start())
                        .append(quotedIdentifier(t, at(text, t.start(), where), lambdaVars, nameMode));
                copied = t.end();
                k++;
                continue;
            }
            if (!t.is(Kind.MACRO) || t.text().startsWith("@@") || t.text().length() == 1) {
                k++;
                continue;
            }
            out.append(text, copied, t.start());
            Location loc = at(text, t.start(), where);
            boolean call = k + 1 < tokens.size() && tokens.get(k + 1).is("(") && !tokens.get(k + 1).spaceBefore()
                    && !t.text().startsWith("@{");
            if (call) {
                int close = matching(tokens, k + 1);
                List<Arg> args = args(text, tokens, k + 1, close, where);
                boolean afterDot = k > 0 && tokens.get(k - 1).is(".") && !t.spaceBefore();
                boolean beforeDot = close + 1 < tokens.size() && tokens.get(close + 1).is(".")
                        && !tokens.get(close + 1).spaceBefore();
                String result = call(t.text().substring(1), args, loc, inRelationPosition(tokens, k),
                        afterDot || beforeDot, lambdaVars);
                out.append(afterDot || beforeDot ? SqlValues.identifierText(result) : result);
                copied = close < tokens.size() ? tokens.get(close).end() : text.length();
                k = close + 1;
            } else {
                out.append(variable(t, tokens, k, loc, lambdaVars, nameMode));
                copied = t.end();
                k++;
            }
        }
        return out.append(text.substring(copied)).toString();
    }

    // ---- variables ----

    /**
     * A quoted identifier holding {@code @}: SQLMesh runs its template over every identifier's text (quoted or not),
     * so {@code `@src`}, {@code "pre_@{x}"} and {@code [@src]} take the variable's text and stay one quoted
     * identifier, dots included. A variable the template cannot fill (undefined, or not among
     * {@link #usedVariables}) stays as written in SQLMesh, which names no real table; in a query it becomes
     * {@link UnsettledNames#MARKER}, with a warning, so no dependency is invented.
     */
    private String quotedIdentifier(SqlToken t, Location loc, Map<String, String> lambdaVars, boolean nameMode) {
        String raw = t.text();
        char open = raw.charAt(0);
        char close = open == '[' ? ']' : open;
        String escapedClose = open == '[' ? "]" : String.valueOf(close) + close;
        boolean closed = raw.length() > 1 && raw.charAt(raw.length() - 1) == close;
        String body = raw.substring(1, closed ? raw.length() - 1 : raw.length());
        if (open != '[') {
            body = body.replace(escapedClose, String.valueOf(close));
        }
        Matcher m = TEMPLATE.matcher(body);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1) != null) {
                replacement = "@";
            } else {
                String name = m.group(2) != null ? m.group(2) : m.group(3);
                String reference = m.group();
                // a model's own name keeps the reference as SQLMesh does: the model exists, under that name
                replacement = templateValue(name, lambdaVars)
                        .orElseGet(() -> nameMode ? reference : unfilled(reference, name, raw, loc));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        String inner = open == '[' ? out.toString() : out.toString().replace(String.valueOf(close), escapedClose);
        return open + inner + (closed ? String.valueOf(close) : "");
    }

    private String variable(SqlToken t, List<SqlToken> tokens, int k, Location loc, Map<String, String> lambdaVars,
            boolean nameMode) {
        boolean template = t.text().startsWith("@{");
        String name = template ? t.text().substring(2, t.text().length() - 1).trim() : t.text().substring(1);
        if (!nameMode && (template || gluedToName(tokens, k))) {
            // part of an identifier: SQLMesh's template fills it, or keeps it as written (it never fails)
            return templateValue(name, lambdaVars).orElseGet(() -> unfilled(t.text(), name, t.text(), loc));
        }
        if (dialect == Dialect.SNOWFLAKE && !template && !nameMode && k > 0 && inRelationPosition(tokens, k)
                && stagePathFollows(tokens, k)) {
            // Snowflake reads FROM @name.more (no space) as one staged-file path, @name.more, which SQLMesh looks up
            // as a single variable; none has that name, so it stays a stage: no table, whatever @name holds
            return t.text();
        }
        Optional<String> value = lookup(name, lambdaVars, template || nameMode || gluedToName(tokens, k));
        if (value.isPresent()) {
            String sql = value.get();
            if (template || nameMode || gluedToName(tokens, k)) {
                return SqlValues.templateText(sql);
            }
            return inNamePosition(tokens, k) ? SqlValues.identifierText(sql) : sql;
        }
        if (dialect == Dialect.SNOWFLAKE && !template && (k > 0 && inRelationPosition(tokens, k)
                || nextIs(tokens, k, "/"))) {
            // a Snowflake stage (FROM @my_stage/path) is no macro; SQLMesh leaves it alone too
            return t.text();
        }
        undefined(name, loc);
        return template ? name : "NULL";
    }

    /**
     * The text SQLMesh's template puts for {@code name} inside an identifier, or empty when it keeps the reference
     * as written: lambda arguments and {@code @DEF}/built-in locals always fill it, a project variable only when
     * the model uses it (see {@link #usedVariables}).
     */
    private Optional<String> templateValue(String name, Map<String, String> lambdaVars) {
        String key = name.toLowerCase(Locale.ROOT);
        if (!lambdaVars.containsKey(key) && !locals.containsKey(key) && !usedVariables.contains(key)) {
            return Optional.empty();
        }
        return lookup(name, lambdaVars, true).map(SqlValues::templateText);
    }

    /**
     * A reference SQLMesh keeps as written: the name it is in reads no real table, so the engine puts
     * {@link UnsettledNames#MARKER} there (a table named with it is left out) and says why.
     */
    private String unfilled(String reference, String name, String identifier, Location loc) {
        String key = name.toLowerCase(Locale.ROOT);
        boolean defined = context.blueprintVariables().containsKey(key) || context.variables().containsKey(key);
        String why = !defined
                ? "is not defined. Define '" + key + "' under variables in the config or the model's blueprints"
                : "is not filled: SQLMesh fills a variable inside a name only when the model uses it, and looks "
                        + "for uses inside names case-sensitively. Write it in lower case, @" + key;
        problems.warning(loc, "macro variable " + reference + " in the name " + identifier + " " + why
                + ". SQLMesh keeps it as written, naming no real table, so a table named with it is left out of "
                + "lineage");
        return UnsettledNames.MARKER;
    }

    /** Records the variables {@code text} uses, by the rules of {@link #usedVariables}. */
    private void noteUses(String text) {
        if (text.indexOf('@') < 0) {
            return;
        }
        List<SqlToken> tokens = SqlLexer.tokens(text, dialect);
        for (int k = 0; k < tokens.size(); k++) {
            SqlToken t = tokens.get(k);
            boolean sqlString = t.isStringLiteral() && k >= 2 && tokens.get(k - 1).is("(")
                    && tokens.get(k - 2).is(Kind.MACRO)
                    && tokens.get(k - 2).text().equalsIgnoreCase("@SQL");
            if (sqlString || t.is(Kind.IDENTIFIER)) {
                // an identifier, or @SQL's string: SQLMesh reads the template references in its text as written
                Matcher m = TEMPLATE.matcher(t.text());
                while (m.find()) {
                    if (m.group(1) == null) {
                        usedVariables.add(m.group(2) != null ? m.group(2) : m.group(3));
                    }
                }
            } else if (t.is(Kind.MACRO) && t.text().startsWith("@{")) {
                usedVariables.add(t.text().substring(2, t.text().length() - 1));
            } else if (t.is(Kind.MACRO) && !t.text().startsWith("@@")) {
                String name = t.text().substring(1);
                usedVariables.add(gluedToName(tokens, k) ? name : name.toLowerCase(Locale.ROOT));
                boolean varCall = name.equalsIgnoreCase("VAR") || name.equalsIgnoreCase("BLUEPRINT_VAR");
                if (varCall && nextIs(tokens, k, "(") && k + 2 < tokens.size()
                        && tokens.get(k + 2).isStringLiteral()) {
                    usedVariables.add(SqlValues.unquote(tokens.get(k + 2).text()).toLowerCase(Locale.ROOT));
                }
            }
        }
    }

    /**
     * The SQL text of a variable. A list used as {@code @name} becomes a tuple, but spliced into a name it is
     * written as an array, as SQLMesh's template does.
     */
    private Optional<String> lookup(String name, Map<String, String> lambdaVars, boolean asText) {
        String key = name.toLowerCase(Locale.ROOT);
        if (lambdaVars.containsKey(key)) {
            return Optional.of(lambdaVars.get(key));
        }
        if (locals.containsKey(key)) {
            return Optional.of(locals.get(key));
        }
        PropertyValue blueprint = context.blueprintVariables().get(key);
        if (blueprint != null) {
            return Optional.of(blueprint.text());
        }
        if (context.variables().containsKey(key)) {
            Object value = context.variables().get(key);
            if (value instanceof List<?> list && !asText) {
                return Optional.of(SqlValues.tuple(list, dialect));
            }
            if (value instanceof String s && asText) {
                return Optional.of(SqlValues.quote(s));
            }
            return Optional.of(SqlValues.literal(value, dialect));
        }
        return Optional.empty();
    }

    private void undefined(String name, Location loc) {
        String key = name.toLowerCase(Locale.ROOT);
        if (!interval && LoadTimeVariables.isIntervalVariable(key)) {
            problems.error(loc, "@" + name + " is not defined for a " + kind + " model: SQLMesh gives "
                    + "@start_*/@end_* only to models with a time interval and fails to load this one. "
                    + "Use @execution_ds (or another @execution_* variable), or give the model an incremental kind");
            return;
        }
        problems.error(loc, "macro variable @" + name + " is undefined, so SQLMesh fails to load this model. "
                + "Define '" + key + "' under variables in the config (or the gateway's variables), in the model's "
                + "blueprints, or with @DEF(" + key + ", ...) before the query");
    }

    // ---- macro functions ----

    /**
     * @param relation whether the call stands where a table is read ({@code FROM @m(...)})
     * @param namePart whether it is glued by a dot into a name ({@code raw.@m(...)})
     */
    private String call(String name, List<Arg> args, Location loc, boolean relation, boolean namePart,
            Map<String, String> lambdaVars) {
        String upper = name.toUpperCase(Locale.ROOT);
        switch (upper) {
            case "VAR":
                return var(args, loc, lambdaVars, false);
            case "BLUEPRINT_VAR":
                return var(args, loc, lambdaVars, true);
            case "DEF":
                return def(args, loc, lambdaVars);
            case "IF":
                return ifMacro(args, loc, lambdaVars);
            case "EACH":
                return String.join(", ", each(args, loc, lambdaVars));
            case "SQL":
                return sql(args, loc, lambdaVars);
            case "EVAL":
                return args.isEmpty() ? "NULL" : sub(args.get(0), lambdaVars);
            case "AND", "OR":
                return args.stream().map(a -> "(" + sub(a, lambdaVars) + ")")
                        .collect(Collectors.joining(" " + upper + " ", "(", ")"));
            case "STAR":
                return "*";
            case "UNION":
                return union(args, lambdaVars);
            case "DEDUPLICATE":
                return args.isEmpty() ? "(SELECT NULL)" : "(SELECT * FROM " + sub(args.get(0), lambdaVars) + ")";
            case "DATE_SPINE":
                return "(SELECT NULL AS date_spine)";
            default:
                break;
        }
        if (EXPRESSION_BUILTINS.contains(upper)) {
            return coalesce(args, lambdaVars);
        }
        Lambda defined = sqlMacros.get(name.toLowerCase(Locale.ROOT));
        if (defined != null) {
            return applyLambda(defined, args.stream().map(a -> sub(a, lambdaVars)).toList(), lambdaVars);
        }
        return pythonMacro(name, args, loc, relation, namePart, lambdaVars);
    }

    private String var(List<Arg> args, Location loc, Map<String, String> lambdaVars, boolean blueprint) {
        String macro = blueprint ? "@BLUEPRINT_VAR" : "@VAR";
        String nameSql = args.isEmpty() ? "" : sub(args.get(0), lambdaVars).strip();
        if (!SqlValues.isStringLiteral(nameSql)) {
            problems.error(loc, macro + " needs the variable name as a string literal, e.g. " + macro
                    + "('my_var'); got '" + nameSql + "'");
            return "NULL";
        }
        String key = SqlValues.unquote(nameSql).toLowerCase(Locale.ROOT);
        if (blueprint && context.blueprintVariables().containsKey(key)) {
            return context.blueprintVariables().get(key).text();
        }
        if (!blueprint && context.variables().containsKey(key)) {
            return SqlValues.literal(context.variables().get(key), dialect);
        }
        return args.size() > 1 ? sub(args.get(1), lambdaVars) : "NULL";
    }

    private String def(List<Arg> args, Location loc, Map<String, String> lambdaVars) {
        if (args.size() != 2) {
            problems.error(loc, "@DEF takes a name and a value, e.g. @DEF(tbl, sushi.orders); got "
                    + args.size() + " argument(s)");
            return "";
        }
        String name = args.get(0).text().strip().toLowerCase(Locale.ROOT);
        Optional<Lambda> lambda = lambda(args.get(1));
        if (lambda.isPresent()) {
            sqlMacros.put(name, lambda.get());
        } else {
            locals.put(name, sub(args.get(1), lambdaVars));
        }
        return "";
    }

    private String ifMacro(List<Arg> args, Location loc, Map<String, String> lambdaVars) {
        if (args.size() < 2 || args.size() > 3) {
            problems.error(loc, "@IF takes a condition, a value if true and an optional value if false; got "
                    + args.size() + " argument(s)");
            return "";
        }
        String condition = sub(args.get(0), lambdaVars);
        Optional<Boolean> decided = ConditionEvaluator.evaluate(condition, dialect);
        if (decided.isEmpty()) {
            problems.unresolvedModel(loc, "cannot decide the @IF condition '" + condition.strip() + "' while reading the "
                    + "project (only literals, variables and comparisons can be); lineage assumes it is true");
        }
        if (decided.orElse(true)) {
            return sub(args.get(1), lambdaVars);
        }
        return args.size() == 3 ? sub(args.get(2), lambdaVars) : "";
    }

    private List<String> each(List<Arg> args, Location loc, Map<String, String> lambdaVars) {
        Optional<Lambda> fn = args.isEmpty() ? Optional.empty() : lambda(args.get(args.size() - 1));
        if (fn.isEmpty()) {
            problems.error(loc, "@EACH needs items and a lambda as its last argument, e.g. @EACH([a, b], x -> x + 1)");
            return List.of("NULL");
        }
        List<String> items = new ArrayList<>();
        List<Arg> itemArgs = args.subList(0, args.size() - 1);
        for (Arg a : itemArgs) {
            String rendered = sub(a, lambdaVars);
            if (itemArgs.size() == 1) {
                items.addAll(splitCollection(rendered, a.where()));
            } else {
                items.add(rendered.strip());
            }
        }
        List<String> out = new ArrayList<>();
        for (String item : items) {
            String r = applyLambda(fn.get(), List.of(item), lambdaVars);
            if (!r.isBlank()) {
                out.add(r.strip());
            }
        }
        return out;
    }

    private String sql(List<Arg> args, Location loc, Map<String, String> lambdaVars) {
        String text = args.isEmpty() ? "" : sub(args.get(0), lambdaVars).strip();
        if (!SqlValues.isStringLiteral(text)) {
            problems.error(loc, "@SQL needs a string literal holding SQL, e.g. @SQL('my_table'); got '" + text + "'");
            return "NULL";
        }
        return render(SqlValues.unquote(text), loc, lambdaVars, false);
    }

    private String union(List<Arg> args, Map<String, String> lambdaVars) {
        List<String> tables = new ArrayList<>();
        boolean distinct = false;
        for (Arg a : args) {
            String r = sub(a, lambdaVars).strip();
            if (SqlValues.isStringLiteral(r)) {
                distinct = SqlValues.unquote(r).equalsIgnoreCase("distinct");
            } else if (looksLikeTable(r)) {
                tables.add(r);
            }
        }
        if (tables.isEmpty()) {
            return "(SELECT NULL)";
        }
        return tables.stream().map(t -> "SELECT * FROM " + t)
                .collect(Collectors.joining(distinct ? " UNION " : " UNION ALL "));
    }

    private String coalesce(List<Arg> args, Map<String, String> lambdaVars) {
        List<String> parts = args.stream()
                .filter(a -> lambda(a).isEmpty() && !a.text().contains(":="))
                .map(a -> sub(a, lambdaVars))
                .toList();
        return parts.isEmpty() ? "NULL" : "COALESCE(" + String.join(", ", parts) + ")";
    }

    /**
     * A Python macro (the project's own, or one the engine does not know) cannot run here. Its arguments are still
     * rendered so the tables they name stay visible; in a FROM position the macro may read more, so say so.
     */
    private String pythonMacro(String name, List<Arg> args, Location loc, boolean relation, boolean namePart,
            Map<String, String> lambdaVars) {
        boolean known = context.userMacros().contains(name.toLowerCase(Locale.ROOT));
        List<String> rendered = args.stream().map(a -> sub(a, lambdaVars).strip()).toList();
        Optional<String> evaluated = staticMacro(name, rendered, relation);
        if (evaluated.isPresent()) {
            return evaluated.get();
        }
        if (namePart) {
            // raw.@m(...): the macro writes part of a table name; any stand-in would name a table that is not there
            problems.unresolvedModel(loc, "@" + name + " makes part of a table name, and "
                    + (known ? "is a Python macro the engine cannot run" : "is neither a SQLMesh built-in nor a "
                    + "macro defined under macros/") + ", so that table is left out of lineage. List it in the "
                    + "model's depends_on property");
            return UnsettledNames.MARKER;
        }
        if (!known) {
            problems.unresolvedModel(loc, "@" + name + " is neither a SQLMesh built-in nor a macro defined under macros/, "
                    + "so SQLMesh will fail to load this model unless it is defined; the engine cannot evaluate it "
                    + "and lineage may be incomplete");
        } else if (relation) {
            problems.unresolvedModel(loc, "@" + name + " is a Python macro the engine cannot run; the tables it reads may be "
                    + "missing from lineage. List them in the model's depends_on property");
        } else {
            // Outside FROM too a macro's result can read tables (a subquery); only running it tells.
            problems.unresolvedModel(loc, "@" + name + " is a Python macro the engine cannot run; a table its result "
                    + "reads (in a subquery) would be missing from lineage. List it in the model's depends_on property");
        }
        if (relation) {
            List<String> tables = rendered.stream().filter(MacroEvaluator::looksLikeTable).toList();
            return tables.isEmpty() ? "(SELECT NULL)" : "(SELECT NULL FROM " + String.join(", ", tables) + ")";
        }
        List<String> subqueries = rendered.stream().filter(r -> containsSelect(r)).map(r -> "(" + r + ")").toList();
        return subqueries.isEmpty() ? "NULL" : "COALESCE(" + String.join(", ", subqueries) + ", NULL)";
    }

    /** What a project macro returns, when its text says so unambiguously (see {@link StaticMacros}). */
    private Optional<String> staticMacro(String name, List<String> args, boolean relation) {
        StaticMacros.Macro macro = context.staticMacros() == null ? null
                : context.staticMacros().get(name.toLowerCase(Locale.ROOT));
        if (macro == null) {
            return Optional.empty();
        }
        // In a FROM position only a table name is certain to read as SQLMesh reads it.
        return StaticMacros.apply(macro, args)
                .filter(sql -> !relation || StaticMacros.isName(sql));
    }

    private String applyLambda(Lambda fn, List<String> values, Map<String, String> outer) {
        Map<String, String> vars = new HashMap<>(outer);
        List<String> params = fn.params();
        if (params.size() > 1 && values.size() == 1) {
            values = splitCollection(values.get(0), fn.body().where());
        }
        for (int p = 0; p < params.size(); p++) {
            vars.put(params.get(p), p < values.size() ? values.get(p) : "NULL");
        }
        return render(fn.body().text(), fn.body().where(), vars, false);
    }

    // ---- text and token utilities ----

    private String sub(Arg a, Map<String, String> lambdaVars) {
        return render(a.text(), a.where(), lambdaVars, false);
    }

    /** {@code x -> body} or {@code (a, b) -> body}. */
    private Optional<Lambda> lambda(Arg a) {
        List<SqlToken> tokens = SqlLexer.tokens(a.text(), dialect);
        int depth = 0;
        for (int k = 0; k + 1 < tokens.size(); k++) {
            SqlToken t = tokens.get(k);
            depth += t.is("(") || t.is("[") ? 1 : t.is(")") || t.is("]") ? -1 : 0;
            if (depth == 0 && t.is("-") && tokens.get(k + 1).is(">") && !tokens.get(k + 1).spaceBefore()) {
                List<String> params = tokens.subList(0, k).stream().filter(SqlToken::isName)
                        .map(p -> p.text().toLowerCase(Locale.ROOT)).toList();
                int bodyStart = tokens.get(k + 1).end();
                String body = a.text().substring(bodyStart);
                int lead = body.length() - body.stripLeading().length();
                return Optional.of(new Lambda(params, new Arg(body.strip(), at(a.text(), bodyStart + lead, a.where()))));
            }
        }
        return Optional.empty();
    }

    /** The items of {@code [a, b]}, {@code (a, b)}, {@code ARRAY[a, b]}; anything else is one item. */
    private List<String> splitCollection(String sql, Location where) {
        String s = sql.strip();
        String inner = null;
        if ((s.startsWith("[") && s.endsWith("]")) || (s.startsWith("(") && s.endsWith(")"))) {
            inner = s.substring(1, s.length() - 1);
        } else if (s.toUpperCase(Locale.ROOT).startsWith("ARRAY") && s.length() > 6) {
            String rest = s.substring(5).strip();
            inner = rest.length() >= 2 ? rest.substring(1, rest.length() - 1) : null;
        }
        if (inner == null) {
            return List.of(s);
        }
        List<SqlToken> tokens = SqlLexer.tokensWithComments(inner, dialect);
        List<String> items = new ArrayList<>();
        for (Arg a : splitTopLevel(inner, tokens, 0, tokens.size(), where)) {
            if (!a.text().isBlank()) {
                items.add(a.text().strip());
            }
        }
        return items;
    }

    private boolean isLambdaVar(List<SqlToken> tokens, int k, Map<String, String> lambdaVars) {
        SqlToken t = tokens.get(k);
        if (!lambdaVars.containsKey(t.text().toLowerCase(Locale.ROOT))) {
            return false;
        }
        boolean afterDot = k > 0 && tokens.get(k - 1).is(".") && !t.spaceBefore();
        boolean call = k + 1 < tokens.size() && tokens.get(k + 1).is("(");
        return !afterDot && !call;
    }

    private static boolean gluedToName(List<SqlToken> tokens, int k) {
        SqlToken t = tokens.get(k);
        boolean before = k > 0 && !t.spaceBefore() && isNamePiece(tokens.get(k - 1));
        boolean after = k + 1 < tokens.size() && !tokens.get(k + 1).spaceBefore() && isNamePiece(tokens.get(k + 1));
        return before || after;
    }

    private static boolean isNamePiece(SqlToken t) {
        return t.is(Kind.WORD) || t.is(Kind.MACRO) || t.is(Kind.NUMBER);
    }

    /**
     * {@code s.@tbl}, {@code @db.tbl}: the value is part of a dotted name. (A lone {@code FROM @tbl} holding a string
     * stays a string literal in SQLMesh too, which is no table.)
     */
    private static boolean inNamePosition(List<SqlToken> tokens, int k) {
        SqlToken t = tokens.get(k);
        boolean afterDot = k > 0 && tokens.get(k - 1).is(".") && !t.spaceBefore();
        boolean beforeDot = k + 1 < tokens.size() && tokens.get(k + 1).is(".") && !tokens.get(k + 1).spaceBefore();
        return afterDot || beforeDot;
    }

    private static boolean inRelationPosition(List<SqlToken> tokens, int k) {
        int p = k - 1;
        while (p >= 0 && tokens.get(p).is(Kind.COMMENT)) {
            p--;
        }
        return p < 0 || tokens.get(p).is("FROM") || tokens.get(p).is("JOIN")
                || tokens.get(p).is(",") && inFromList(tokens, p);
    }

    private static final Set<String> CLAUSES_BEFORE_FROM_ENDS = Set.of("SELECT", "WHERE", "GROUP", "HAVING",
            "QUALIFY", "ORDER", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "MINUS", "WINDOW", "VALUES", "SET", "BY");

    /** Whether the comma at {@code comma} separates FROM items: a FROM precedes it at its parenthesis level. */
    private static boolean inFromList(List<SqlToken> tokens, int comma) {
        int depth = 0;
        for (int p = comma - 1; p >= 0; p--) {
            SqlToken t = tokens.get(p);
            if (t.is(")")) {
                depth++;
            } else if (t.is("(")) {
                if (depth == 0) {
                    return false;
                }
                depth--;
            } else if (depth == 0 && t.is("FROM")) {
                return true;
            } else if (depth == 0 && t.is(Kind.WORD)
                    && CLAUSES_BEFORE_FROM_ENDS.contains(t.text().toUpperCase(Locale.ROOT))) {
                return false;
            }
        }
        return false;
    }

    /**
     * Whether more path is glued to the {@code @name} at {@code k}, as sqlglot's Snowflake parser reads a staged-file
     * location: every following token up to a space, comma or parenthesis. SQLMesh parses the path as a table again
     * when it holds a template ({@code @a.@{b}}).
     */
    private static boolean stagePathFollows(List<SqlToken> tokens, int k) {
        boolean more = false;
        for (int j = k + 1; j < tokens.size(); j++) {
            SqlToken next = tokens.get(j);
            if (next.spaceBefore() || next.is("(") || next.is(")") || next.is(",")) {
                break;
            }
            if (next.text().contains("{")) {
                return false;
            }
            more = true;
        }
        return more;
    }

    private static boolean nextIs(List<SqlToken> tokens, int k, String text) {
        return k + 1 < tokens.size() && tokens.get(k + 1).is(text) && !tokens.get(k + 1).spaceBefore();
    }

    private static boolean looksLikeTable(String sql) {
        return sql.matches("[\\w$\"`\\[\\]. -]+") && !sql.isBlank() && !sql.strip().matches("\\d+")
                && !sql.strip().equalsIgnoreCase("NULL");
    }

    private boolean containsSelect(String sql) {
        return SqlLexer.tokens(sql, dialect).stream().anyMatch(t -> t.is("SELECT"));
    }

    /** Index of the parenthesis closing the one at {@code open} (or the last token when unbalanced). */
    private static int matching(List<SqlToken> tokens, int open) {
        int depth = 0;
        for (int k = open; k < tokens.size(); k++) {
            if (tokens.get(k).is("(")) {
                depth++;
            } else if (tokens.get(k).is(")") && --depth == 0) {
                return k;
            }
        }
        return tokens.size();
    }

    private List<Arg> args(String text, List<SqlToken> tokens, int open, int close, Location where) {
        if (close >= tokens.size()) {
            problems.error(at(text, tokens.get(open).start(), where), "this macro call's parenthesis is never "
                    + "closed; add the missing ')'");
        }
        return splitTopLevel(text, tokens, open + 1, Math.min(close, tokens.size()), where);
    }

    /** Splits tokens {@code [from, to)} at commas outside parentheses and brackets. */
    private static List<Arg> splitTopLevel(String text, List<SqlToken> tokens, int from, int to, Location where) {
        List<Arg> out = new ArrayList<>();
        if (from >= to) {
            return out;
        }
        int depth = 0;
        int argStart = tokens.get(from).start();
        for (int k = from; k < to; k++) {
            SqlToken t = tokens.get(k);
            if (t.is("(") || t.is("[") || t.is("{")) {
                depth++;
            } else if (t.is(")") || t.is("]") || t.is("}")) {
                depth--;
            } else if (depth == 0 && t.is(",")) {
                out.add(arg(text, argStart, t.start(), where));
                argStart = t.end();
            }
        }
        out.add(arg(text, argStart, tokens.get(to - 1).end(), where));
        return out;
    }

    private static Arg arg(String text, int start, int end, Location where) {
        String raw = text.substring(start, end);
        int lead = raw.length() - raw.stripLeading().length();
        return new Arg(raw.strip(), at(text, start + lead, where));
    }

    /** The location of {@code offset} in {@code text}, which starts at {@code where}. */
    static Location at(String text, int offset, Location where) {
        int line = where.line();
        int lineStart = -1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i;
            }
        }
        int col = lineStart < 0 ? where.col() + offset : offset - lineStart;
        return new Location(where.file(), line, col);
    }
}
