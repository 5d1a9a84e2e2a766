package dev.sqlmeshdag.render;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.lineage.UnsettledNames;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Renders a Jinja template the way SQLMesh's Jinja environment does, for the part of Jinja that needs no Python:
 * {@code {% if %}}/{@code elif}/{@code else}, {@code {% for %}} (with {@code loop.*}), {@code {% set %}}, literals
 * (tuples included), comparisons, {@code and}/{@code or}/{@code not}, {@code ~}, {@code +}, {@code range()} and the
 * filters {@link JinjaExpression} knows; what the other names and functions mean comes from {@link Globals} (a model
 * query's or a config file's environment).
 *
 * <p>Two ways to meet what only Python knows (project Jinja macros, Python calls). A model query is read leniently
 * for lineage: an unknown condition keeps every branch, an unknown loop renders its body once, an unknown expression
 * prints {@link UnsettledNames#MARKER} (a table named with it is left out), each with a warning at its line. A
 * config file is read strictly: its text becomes settings, so each of those is an error at its line instead of a
 * guess.
 */
public final class JinjaRenderer {

    /** What the free names and functions of a template mean in one of SQLMesh's Jinja environments. */
    public interface Globals {
        /**
         * A name the template does not set: its value, {@link JinjaRenderer#UNDEFINED} if none,
         * {@link JinjaRenderer#unknown()} if unknowable.
         */
        Object name(String name);

        /** {@code function(args)} called at {@code at}: its value, or {@link JinjaRenderer#unknown()}. */
        Object call(String function, List<Object> args, Location at);

        /** The tag at {@code at} prints None (as the text "None"); strict rendering only. */
        default void printsNone(Location at) {
        }

        /** Added to strict errors: what this environment can evaluate. */
        default String hint() {
            return "";
        }
    }

    /** A value that cannot be known without running Python. */
    private static final Object UNKNOWN = new Object() {
        @Override
        public String toString() {
            return "<unknown>";
        }
    };

    /** Jinja's Undefined, what an unknown name is in SQLMesh's environment: prints nothing, is false, loops zero times. */
    public static final Object UNDEFINED = new Object() {
        @Override
        public String toString() {
            return "";
        }
    };

    private final Globals globals;
    private final boolean strict;

    private JinjaRenderer(Globals globals, boolean strict) {
        this.globals = globals;
        this.strict = strict;
    }

    /** {@code var('name')} / {@code blueprint_var("name")} with a literal name, anywhere in the text. */
    private static final java.util.regex.Pattern VAR_CALL = java.util.regex.Pattern.compile(
            "\\b(?:blueprint_)?var\\s*\\(\\s*(['\"])(\\w+)\\1");

    /**
     * The variables a Jinja query uses as SQLMesh finds them (its static scan of var() calls, in every branch,
     * lower-cased). Only these reach the macro template that runs over the rendered query.
     */
    static java.util.Set<String> referencedVariables(String text) {
        java.util.Set<String> names = new java.util.HashSet<>();
        java.util.regex.Matcher m = VAR_CALL.matcher(text);
        while (m.find()) {
            names.add(m.group(2).toLowerCase(Locale.ROOT));
        }
        return names;
    }

    /** A model query's renderer: lenient, with the model environment's globals. */
    JinjaRenderer(RenderContext context, boolean interval) {
        this(new ModelJinjaGlobals(context, interval), false);
    }

    /** A renderer whose every unknown is an error (config files: their text becomes settings). */
    public static JinjaRenderer strict(Globals globals) {
        return new JinjaRenderer(globals, true);
    }

    /** Tags that open a block closed by {@code end<tag>} ({@code set} only without {@code =}). */
    private static final java.util.Set<String> BLOCK_OPENERS = java.util.Set.of("if", "for", "macro", "call",
            "filter", "set", "raw", "block", "with", "autoescape", "trans");

    /**
     * Checks a template's tags pair up as Jinja's parser requires, without evaluating anything: for files SQLMesh
     * parses as Jinja but the engine does not render (the Jinja macros under {@code macros/}). One problem at most:
     * Jinja stops at the first syntax error too.
     */
    public static void checkStructure(String text, Location where, Problems problems) {
        Deque<Piece> open = new ArrayDeque<>();
        for (Piece p : JinjaTemplate.split(text)) {
            Location at = MacroEvaluator.at(text, p.offset(), where);
            boolean inRaw = !open.isEmpty() && open.peek().keyword().equals("raw");
            if (inRaw && !(p.kind() == Piece.Kind.STMT && p.keyword().equals("endraw"))) {
                continue; // {% raw %} text is not Jinja
            }
            if (p.kind() == Piece.Kind.UNCLOSED) {
                char kind = p.body().charAt(1);
                problems.error(at, "unclosed Jinja '{" + kind + "': add the closing '" + (kind == '{' ? "}}"
                        : kind == '%' ? "%}" : "#}") + "' (Jinja, and so SQLMesh, refuses the file)");
                return;
            }
            if (p.kind() != Piece.Kind.STMT) {
                continue;
            }
            String keyword = p.keyword();
            if (BLOCK_OPENERS.contains(keyword) && !(keyword.equals("set") && p.rest().indexOf('=') >= 0)) {
                open.push(p);
            } else if (keyword.startsWith("end") && keyword.length() > 3) {
                if (open.isEmpty() || !open.peek().keyword().equals(keyword.substring(3))) {
                    problems.error(at, "Jinja tag '{%" + p.body() + "%}' has no opening block"
                            + (open.isEmpty() ? "" : " (the open block is '{%" + open.peek().body() + "%}')")
                            + "; Jinja, and so SQLMesh, refuses the file");
                    return;
                }
                open.pop();
            } else if ((keyword.equals("else") || keyword.equals("elif")) && (open.isEmpty()
                    || !java.util.Set.of("if", "for").contains(open.peek().keyword()))) {
                problems.error(at, "Jinja tag '{%" + p.body() + "%}' is outside an if or for block; Jinja, and so "
                        + "SQLMesh, refuses the file");
                return;
            }
        }
        if (!open.isEmpty()) {
            Piece p = open.peek();
            problems.error(MacroEvaluator.at(text, p.offset(), where), "Jinja block '{%" + p.body() + "%}' is never "
                    + "closed: add {% end" + p.keyword() + " %} (Jinja, and so SQLMesh, refuses the file)");
        }
    }

    /** The rendered text; {@code where} is the position of the text's first character. */
    public String render(String text, Location where, Problems problems) {
        List<Piece> pieces = JinjaTemplate.split(text);
        Renderer r = new Renderer(text, where, problems);
        StringBuilder out = new StringBuilder(text.length());
        r.block(pieces, 0, pieces.size(), out);
        return out.toString();
    }

    /**
     * One piece of the template: literal text, a {@code {{ }}} expression, a {@code {% %}} statement, or the rest of
     * the text from a tag that is never closed.
     */
    record Piece(Kind kind, String body, int offset) {
        enum Kind { TEXT, EXPR, STMT, UNCLOSED }

        String keyword() {
            String b = body.strip();
            int end = 0;
            while (end < b.length() && Character.isJavaIdentifierPart(b.charAt(end))) {
                end++;
            }
            return b.substring(0, end);
        }

        String rest() {
            return body.strip().substring(keyword().length()).strip();
        }
    }

    private final class Renderer {
        private final String text;
        private final Location where;
        private final Problems problems;
        private final Deque<Map<String, Object>> scopes = new ArrayDeque<>();

        Renderer(String text, Location where, Problems problems) {
            this.text = text;
            this.where = where;
            this.problems = problems;
            scopes.push(new HashMap<>());
        }

        /** Renders pieces[from, to) into out. */
        void block(List<Piece> pieces, int from, int to, StringBuilder out) {
            int i = from;
            while (i < to) {
                Piece p = pieces.get(i);
                switch (p.kind()) {
                    case TEXT -> out.append(p.body());
                    case EXPR -> out.append(output(p));
                    case UNCLOSED -> unclosed(p, out);
                    case STMT -> {
                        i = statement(pieces, i, to, out);
                        continue;
                    }
                }
                i++;
            }
        }

        /** A tag that is never closed is a Jinja syntax error: SQLMesh refuses the file, whatever else it holds. */
        private void unclosed(Piece p, StringBuilder out) {
            char kind = p.body().charAt(1);
            String close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            problems.error(at(p), "unclosed Jinja '{" + kind + "': add the closing '" + close + "' (Jinja, and so "
                    + "SQLMesh, refuses the file)");
        }

        /** Runs the statement at pieces[i]; returns the index after it (after its end tag for blocks). */
        private int statement(List<Piece> pieces, int i, int to, StringBuilder out) {
            Piece p = pieces.get(i);
            String keyword = p.keyword();
            switch (keyword) {
                case "if" -> {
                    return ifBlock(pieces, i, to, out);
                }
                case "for" -> {
                    return forBlock(pieces, i, to, out);
                }
                case "set" -> {
                    if (p.rest().indexOf('=') >= 0) {
                        set(p);
                        return i + 1;
                    }
                    // {% set name %}...{% endset %} captures what its body prints.
                    int end = matching(pieces, i, to, "endset");
                    StringBuilder captured = new StringBuilder();
                    block(pieces, i + 1, end, captured);
                    scopes.peek().put(p.rest().strip(), captured.toString());
                    return closeBlock(pieces, i, end, to);
                }
                case "macro", "call", "filter" -> {
                    int end = matching(pieces, i, to, "end" + keyword);
                    if (strict) {
                        problems.unresolvedConfig(at(p), "cannot evaluate '{%" + p.body() + "%}'" + globals.hint());
                    } else if (!keyword.equals("macro")) {
                        warn(p, "{% " + p.body().strip() + " %} is not evaluated while reading the project; its "
                                + "output is left out, so lineage may be incomplete");
                    }
                    return end < to ? end + 1 : to;
                }
                default -> {
                    if (keyword.startsWith("end") || keyword.equals("elif") || keyword.equals("else")) {
                        // A closing or middle tag with no block open: Jinja's "Encountered unknown tag".
                        problems.error(at(p), "Jinja tag '{%" + p.body() + "%}' has no opening block; remove it or "
                                + "add the block it belongs to (Jinja, and so SQLMesh, refuses the file)");
                        return i + 1;
                    }
                    if (strict) {
                        problems.unresolvedConfig(at(p), "cannot evaluate '{%" + p.body() + "%}'" + globals.hint());
                    } else {
                        warn(p, "Jinja tag {% " + p.body().strip() + " %} is not evaluated while reading the project;"
                                + " it is skipped, so lineage may be incomplete");
                    }
                    return i + 1;
                }
            }
        }

        private int ifBlock(List<Piece> pieces, int start, int to, StringBuilder out) {
            int end = matching(pieces, start, to, "endif");
            List<Integer> branches = splits(pieces, start, end, List.of("elif", "else"));
            boolean decided = false;
            boolean unknownSeen = false;
            for (int b = 0; b < branches.size(); b++) {
                int head = branches.get(b);
                int bodyEnd = b + 1 < branches.size() ? branches.get(b + 1) : end;
                Piece tag = pieces.get(head);
                Object cond = tag.keyword().equals("else") ? Boolean.TRUE : eval(tag.rest(), tag);
                if (cond == UNKNOWN && strict) {
                    problems.unresolvedConfig(at(tag), "cannot evaluate the condition of '{%" + tag.body() + "%}'"
                            + globals.hint());
                    break;
                } else if (cond == UNKNOWN) {
                    if (!unknownSeen) {
                        warn(tag, "cannot decide the Jinja condition {% " + tag.body().strip() + " %} while reading "
                                + "the project; every branch is kept, so lineage may list extra tables");
                    }
                    unknownSeen = true;
                    block(pieces, head + 1, bodyEnd, out);
                } else if (!decided && truthy(cond)) {
                    block(pieces, head + 1, bodyEnd, out);
                    decided = true;
                    if (!unknownSeen) {
                        break;
                    }
                }
            }
            return closeBlock(pieces, start, end, to);
        }

        private int forBlock(List<Piece> pieces, int start, int to, StringBuilder out) {
            int end = matching(pieces, start, to, "endfor");
            List<Integer> parts = splits(pieces, start, end, List.of("else"));
            int bodyEnd = parts.size() > 1 ? parts.get(1) : end;
            Piece tag = pieces.get(start);
            String header = tag.rest();
            int in = indexOfWord(header, "in");
            List<Object> items = in < 0 ? null : items(eval(header.substring(in + 2), tag));
            if (items == null && strict) {
                problems.unresolvedConfig(at(tag), "cannot evaluate '{%" + tag.body() + "%}'" + globals.hint());
                return closeBlock(pieces, start, end, to);
            }
            if (in < 0) {
                warn(tag, "cannot read the Jinja loop {% " + tag.body().strip() + " %}; write {% for x in items %}");
                return end < to ? end + 1 : to;
            }
            List<String> names = java.util.Arrays.stream(header.substring(0, in).split(","))
                    .map(String::strip).toList();
            if (items == null) {
                warn(tag, "cannot evaluate the Jinja loop {% " + tag.body().strip() + " %} while reading the project; "
                        + "its body is read once, so lineage may be incomplete");
                items = List.of(UNKNOWN);
            }
            if (items.isEmpty() && parts.size() > 1) {
                block(pieces, parts.get(1) + 1, end, out);
            }
            for (int k = 0; k < items.size(); k++) {
                Map<String, Object> scope = new HashMap<>();
                bind(names, items.get(k), scope);
                Map<String, Object> loop = new LinkedHashMap<>();
                loop.put("index", BigDecimal.valueOf(k + 1));
                loop.put("index0", BigDecimal.valueOf(k));
                loop.put("first", k == 0);
                loop.put("last", k == items.size() - 1);
                loop.put("length", BigDecimal.valueOf(items.size()));
                loop.put("revindex", BigDecimal.valueOf(items.size() - k));
                loop.put("revindex0", BigDecimal.valueOf(items.size() - k - 1));
                scope.put("loop", loop);
                scopes.push(scope);
                try {
                    block(pieces, start + 1, bodyEnd, out);
                } finally {
                    scopes.pop();
                }
            }
            return closeBlock(pieces, start, end, to);
        }

        /** The index after a block's end tag; a block left open is a Jinja syntax error, reported when strict. */
        private int closeBlock(List<Piece> pieces, int start, int end, int to) {
            if (end < to) {
                return end + 1;
            }
            // Jinja refuses the template at parse time, before anything is evaluated, so lenient or not.
            Piece tag = pieces.get(start);
            problems.error(at(tag), "Jinja block '{%" + tag.body() + "%}' is never closed: add {% end" + tag.keyword()
                    + " %} (Jinja, and so SQLMesh, refuses the file)");
            return to;
        }

        private void bind(List<String> names, Object item, Map<String, Object> scope) {
            if (names.size() == 1) {
                scope.put(names.get(0), item);
                return;
            }
            List<Object> values = item instanceof List<?> l ? new ArrayList<>(l) : null;
            for (int n = 0; n < names.size(); n++) {
                scope.put(names.get(n), values != null && n < values.size() ? values.get(n) : UNKNOWN);
            }
        }

        private void set(Piece p) {
            String rest = p.rest();
            int eq = rest.indexOf('=');
            scopes.peek().put(rest.substring(0, eq).strip(), eval(rest.substring(eq + 1), p));
        }

        private String output(Piece p) {
            Object value = eval(p.body(), p);
            if (value == UNKNOWN && strict) {
                problems.unresolvedConfig(at(p), "cannot evaluate '{{" + p.body() + "}}'" + globals.hint());
                return "";
            }
            if (value == UNKNOWN) {
                warn(p, "cannot evaluate the Jinja expression {{ " + p.body().strip() + " }} while reading the "
                        + "project; it is left out, so lineage may be incomplete. List the tables it reads in the "
                        + "model's depends_on property");
                // not NULL: in FROM a NULL would read as a table named "null"; the marker is refused as a name
                return UnsettledNames.MARKER;
            }
            if (value == null && strict) {
                globals.printsNone(at(p));
            }
            return str(value);
        }

        private Object eval(String expr, Piece p) {
            try {
                return new JinjaExpression(expr, this::lookup, (function, args) -> function.equals("range")
                        ? Range.of(args) : globals.call(function, args, at(p))).parse();
            } catch (JinjaExpression.Unknown e) {
                return UNKNOWN;
            }
        }

        private Object lookup(String name) {
            for (Map<String, Object> scope : scopes) {
                if (scope.containsKey(name)) {
                    return scope.get(name);
                }
            }
            return globals.name(name);
        }

        private Location at(Piece p) {
            return MacroEvaluator.at(text, p.offset(), where);
        }

        /** Only model text is rendered leniently, so whatever is not evaluated is a model value left unresolved. */
        private void warn(Piece p, String message) {
            problems.unresolvedModel(at(p), message);
        }
    }

    /** The index of the end tag closing the block opened at pieces[start], nesting respected; {@code to} if none. */
    private static int matching(List<Piece> pieces, int start, int to, String endTag) {
        String open = pieces.get(start).keyword();
        int depth = 0;
        for (int i = start + 1; i < to; i++) {
            Piece p = pieces.get(i);
            if (p.kind() != Piece.Kind.STMT) {
                continue;
            }
            if (p.keyword().equals(open) && !(open.equals("set") && p.rest().indexOf('=') >= 0)) {
                depth++;
            } else if (p.keyword().equals(endTag)) {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return to;
    }

    private static final java.util.Set<String> BLOCK_TAGS = java.util.Set.of("if", "for", "macro", "call", "filter");

    /** The block's own head, then each tag among {@code separators} not nested in an inner block. */
    private static List<Integer> splits(List<Piece> pieces, int start, int end, List<String> separators) {
        List<Integer> out = new ArrayList<>(List.of(start));
        int depth = 0;
        for (int i = start + 1; i < end; i++) {
            Piece p = pieces.get(i);
            if (p.kind() != Piece.Kind.STMT) {
                continue;
            }
            String k = p.keyword();
            if (BLOCK_TAGS.contains(k)) {
                depth++;
            } else if (k.startsWith("end") && BLOCK_TAGS.contains(k.substring(3))) {
                depth--;
            } else if (depth == 0 && separators.contains(k)) {
                out.add(i);
            }
        }
        return out;
    }

    private static int indexOfWord(String text, String word) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b" + word + "\\b").matcher(text);
        return m.find() ? m.start() : -1;
    }

    /** What a for loop walks: list items, map keys, string characters; null when unknown. */
    private static List<Object> items(Object value) {
        if (value == UNDEFINED) {
            return List.of();
        }
        if (value instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        if (value instanceof Map<?, ?> m) {
            return new ArrayList<>(m.keySet());
        }
        if (value instanceof String s) {
            return s.codePoints().mapToObj(Character::toString).collect(Collectors.toList());
        }
        return null;
    }

    static boolean truthy(Object v) {
        if (v == null || v == UNDEFINED) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return new BigDecimal(n.toString()).signum() != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Python's {@code str()}, which is what Jinja prints. */
    static String str(Object value) {
        if (value == UNDEFINED) {
            return "";
        }
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (value instanceof Range range) {
            return range.toString();
        }
        if (value instanceof Tuple tuple) {
            return tuple.stream().map(JinjaRenderer::repr)
                    .collect(Collectors.joining(", ", "(", tuple.size() == 1 ? ",)" : ")"));
        }
        if (value instanceof List<?> list) {
            return list.stream().map(JinjaRenderer::repr).collect(Collectors.joining(", ", "[", "]"));
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().map(e -> repr(e.getKey()) + ": " + repr(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        return value.toString();
    }

    private static String repr(Object value) {
        return value instanceof String s ? "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'" : str(value);
    }

    static boolean equal(Object a, Object b) {
        if (a == UNDEFINED || b == UNDEFINED) {
            return a == b;
        }
        if (a instanceof Number || b instanceof Number || a instanceof Boolean && b instanceof Number
                || a instanceof Number && b instanceof Boolean) {
            BigDecimal x = JinjaExpression.number(a);
            BigDecimal y = JinjaExpression.number(b);
            return x != null && y != null && x.compareTo(y) == 0;
        }
        if (a instanceof List<?> && b instanceof List<?> && sequenceType(a) != sequenceType(b)) {
            return false;
        }
        return Objects.equals(a, b);
    }

    /** Python compares a list, a tuple and a range as different types. */
    static Class<?> sequenceType(Object sequence) {
        return sequence instanceof Tuple || sequence instanceof Range ? sequence.getClass() : List.class;
    }

    /**
     * Python's {@code range()}, a global of every Jinja environment: its numbers for loops, tests and filters,
     * printed {@code range(0, 3)}.
     */
    static final class Range extends ArrayList<Object> {
        /** Beyond this a template is not describing lineage; leave it to Python. */
        private static final long MAX_LENGTH = 100_000;
        private final String text;

        private Range(List<Object> items, String text) {
            super(items);
            this.text = text;
        }

        static Object of(List<Object> args) {
            if (args.isEmpty() || args.size() > 3) {
                return UNKNOWN;
            }
            long[] n = new long[args.size()];
            for (int i = 0; i < n.length; i++) {
                Object a = args.get(i);
                // Python ints only: range(2.0) is a TypeError.
                boolean integer = a instanceof Boolean || a instanceof Integer || a instanceof Long
                        || a instanceof BigDecimal d && d.scale() <= 0;
                BigDecimal value = integer ? JinjaExpression.number(a) : null;
                if (value == null || value.abs().compareTo(BigDecimal.valueOf(MAX_LENGTH * MAX_LENGTH)) > 0) {
                    return UNKNOWN;
                }
                n[i] = value.longValue();
            }
            long start = n.length > 1 ? n[0] : 0;
            long stop = n.length > 1 ? n[1] : n[0];
            long step = n.length > 2 ? n[2] : 1;
            if (step == 0 || (stop - start) / step > MAX_LENGTH) {
                return UNKNOWN;
            }
            List<Object> items = new ArrayList<>();
            for (long v = start; step > 0 ? v < stop : v > stop; v += step) {
                items.add(BigDecimal.valueOf(v));
            }
            return new Range(items, "range(" + start + ", " + stop + (step == 1 ? "" : ", " + step) + ")");
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * A Python tuple: a list for everything a template does with it (in, for, index, length), but printed
     * {@code ('a', 'b')} and never equal to a list, as in Python.
     */
    static final class Tuple extends ArrayList<Object> {
        Tuple(List<Object> items) {
            super(items);
        }
    }

    /** The value of what only Python knows. */
    public static Object unknown() {
        return UNKNOWN;
    }
}
