package dev.sqlmeshdag.render;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One Jinja expression evaluated with Jinja's precedence: {@code x if c else y}, {@code or}, {@code and},
 * {@code not}, comparisons and {@code in}/{@code is}, {@code ~}, {@code + - * / // %}, unary minus, then
 * attribute, index, call and filter postfixes. Unknown names and calls throw {@link Unknown}.
 */
final class JinjaExpression {

    /** The expression needs something only Python knows. */
    static final class Unknown extends RuntimeException {
        Unknown() {
            super(null, null, false, false);
        }
    }

    private record Tok(String text, char type) {
        // type: s string, n number, w word, o operator
        boolean is(String s) {
            return type != 's' && text.equals(s);
        }
    }

    private final List<Tok> toks;
    private final Function<String, Object> names;
    private final BiFunction<String, List<Object>, Object> functions;
    private int pos;

    JinjaExpression(String expr, Function<String, Object> names, BiFunction<String, List<Object>, Object> functions) {
        this.toks = tokenize(expr);
        this.names = names;
        this.functions = functions;
    }

    Object parse() {
        Object v = conditional();
        if (pos != toks.size()) {
            throw new Unknown();
        }
        return known(v);
    }

    private static Object known(Object v) {
        if (v == JinjaRenderer.unknown()) {
            throw new Unknown();
        }
        return v;
    }

    private Object conditional() {
        Object value = or();
        if (accept("if")) {
            boolean cond = JinjaRenderer.truthy(known(or()));
            Object otherwise = accept("else") ? conditional() : null;
            return cond ? value : otherwise;
        }
        return value;
    }

    private Object or() {
        Object left = and();
        while (accept("or")) {
            Object right = and();
            left = JinjaRenderer.truthy(known(left)) ? left : right;
        }
        return left;
    }

    private Object and() {
        Object left = not();
        while (accept("and")) {
            Object right = not();
            left = JinjaRenderer.truthy(known(left)) ? right : left;
        }
        return left;
    }

    private Object not() {
        if (accept("not")) {
            return !JinjaRenderer.truthy(known(not()));
        }
        return comparison();
    }

    private Object comparison() {
        Object left = concat();
        while (pos < toks.size()) {
            if (accept("in")) {
                left = contains(known(concat()), known(left));
            } else if (peek("not") && peekAt(1, "in")) {
                pos += 2;
                left = !contains(known(concat()), known(left));
            } else if (accept("is")) {
                boolean negate = accept("not");
                left = negate != test(known(left));
            } else {
                String op = comparator();
                if (op == null) {
                    return left;
                }
                left = compare(op, known(left), known(concat()));
            }
        }
        return left;
    }

    private boolean test(Object value) {
        Tok t = next();
        return switch (t.text()) {
            case "none", "None" -> value == null;
            case "defined" -> value != JinjaRenderer.UNDEFINED;
            case "undefined" -> value == JinjaRenderer.UNDEFINED;
            case "string" -> value instanceof String;
            case "number" -> value instanceof Number || value instanceof Boolean;
            case "boolean" -> value instanceof Boolean;
            // Numbers are BigDecimal here; a scale above zero is how a Python float (1.0, 1.5) shows.
            case "integer" -> value instanceof Number && !(value instanceof BigDecimal d && d.scale() > 0)
                    && !(value instanceof Double || value instanceof Float);
            case "mapping" -> value instanceof Map<?, ?>;
            case "true" -> Boolean.TRUE.equals(value);
            case "false" -> Boolean.FALSE.equals(value);
            default -> throw new Unknown();
        };
    }

    private String comparator() {
        for (String op : List.of("==", "!=", "<=", ">=", "<", ">")) {
            if (accept(op)) {
                return op;
            }
        }
        return null;
    }

    private static boolean compare(String op, Object a, Object b) {
        if (op.equals("==")) {
            return JinjaRenderer.equal(a, b);
        }
        if (op.equals("!=")) {
            return !JinjaRenderer.equal(a, b);
        }
        int c;
        if (a instanceof String x && b instanceof String y) {
            c = x.compareTo(y);
        } else {
            BigDecimal x = number(a);
            BigDecimal y = number(b);
            if (x == null || y == null) {
                throw new Unknown();
            }
            c = x.compareTo(y);
        }
        return switch (op) {
            case "<" -> c < 0;
            case ">" -> c > 0;
            case "<=" -> c <= 0;
            default -> c >= 0;
        };
    }

    private static boolean contains(Object container, Object item) {
        if (container instanceof String s && item instanceof String i) {
            return s.contains(i);
        }
        if (container instanceof List<?> l) {
            return l.stream().anyMatch(x -> JinjaRenderer.equal(x, item));
        }
        if (container instanceof Map<?, ?> m) {
            return m.containsKey(item);
        }
        throw new Unknown();
    }

    private Object concat() {
        Object left = additive();
        while (accept("~")) {
            left = JinjaRenderer.str(known(left)) + JinjaRenderer.str(known(additive()));
        }
        return left;
    }

    private Object additive() {
        Object left = multiplicative();
        while (peek("+") || peek("-")) {
            boolean plus = next().text().equals("+");
            Object right = known(multiplicative());
            known(left);
            if (plus && left instanceof String a && right instanceof String b) {
                left = a + b;
            } else if (plus && left instanceof List<?> a && right instanceof List<?> b) {
                // list + list and tuple + tuple only; a range cannot be added at all.
                if (JinjaRenderer.sequenceType(a) != JinjaRenderer.sequenceType(b)
                        || a instanceof JinjaRenderer.Range) {
                    throw new Unknown();
                }
                List<Object> joined = new ArrayList<>(a);
                joined.addAll(b);
                left = a instanceof JinjaRenderer.Tuple ? new JinjaRenderer.Tuple(joined) : joined;
            } else {
                left = plus ? num(left).add(num(right)) : num(left).subtract(num(right));
            }
        }
        return left;
    }

    private Object multiplicative() {
        Object left = unary();
        while (peek("*") || peek("//") || peek("%")) {
            String op = next().text();
            BigDecimal a = num(known(left));
            BigDecimal b = num(known(unary()));
            if (!op.equals("*") && b.signum() == 0) {
                throw new Unknown();
            }
            left = op.equals("*") ? a.multiply(b) : op.equals("//")
                    ? new BigDecimal(a.divideToIntegralValue(b).toBigInteger()) : a.remainder(b);
        }
        return left;
    }

    private Object unary() {
        if (accept("-")) {
            return num(known(unary())).negate();
        }
        return postfix(primary());
    }

    private Object postfix(Object value) {
        while (pos < toks.size()) {
            if (accept(".")) {
                String attr = next().text();
                if (peek("(")) {
                    value = method(known(value), attr, arguments());
                } else {
                    value = attribute(known(value), attr);
                }
            } else if (accept("[")) {
                Object key = known(conditional());
                expect("]");
                value = index(known(value), key);
            } else if (accept("|")) {
                String filter = next().text();
                value = filter(known(value), filter, peek("(") ? arguments() : List.of());
            } else {
                return value;
            }
        }
        return value;
    }

    private Object primary() {
        Tok t = next();
        switch (t.type()) {
            case 's' -> {
                return t.text();
            }
            case 'n' -> {
                return new BigDecimal(t.text());
            }
            case 'w' -> {
                switch (t.text()) {
                    case "true", "True" -> {
                        return true;
                    }
                    case "false", "False" -> {
                        return false;
                    }
                    case "none", "None" -> {
                        return null;
                    }
                    default -> {
                        if (peek("(")) {
                            return functions.apply(t.text(), arguments());
                        }
                        return names.apply(t.text());
                    }
                }
            }
            default -> {
                if (t.is("(")) {
                    if (accept(")")) {
                        return new JinjaRenderer.Tuple(List.of());
                    }
                    Object v = conditional();
                    if (!peek(",")) {
                        expect(")");
                        return v;
                    }
                    List<Object> items = new ArrayList<>(List.of(known(v)));
                    while (accept(",") && !peek(")")) {
                        items.add(known(conditional()));
                    }
                    expect(")");
                    return new JinjaRenderer.Tuple(items);
                }
                if (t.is("[")) {
                    List<Object> items = new ArrayList<>();
                    while (!accept("]")) {
                        items.add(known(conditional()));
                        if (!accept(",")) {
                            expect("]");
                            break;
                        }
                    }
                    return items;
                }
                throw new Unknown();
            }
        }
    }

    /** Call arguments; keyword arguments are not supported statically. */
    private List<Object> arguments() {
        expect("(");
        List<Object> args = new ArrayList<>();
        while (!accept(")")) {
            if (pos + 1 < toks.size() && toks.get(pos).type() == 'w' && toks.get(pos + 1).is("=")) {
                throw new Unknown();
            }
            args.add(known(conditional()));
            if (!accept(",")) {
                expect(")");
                break;
            }
        }
        return args;
    }

    private static Object attribute(Object value, String attr) {
        if (value instanceof Map<?, ?> m && m.containsKey(attr)) {
            return m.get(attr);
        }
        throw new Unknown();
    }

    private static Object index(Object value, Object key) {
        if (value instanceof Map<?, ?> m && m.containsKey(key)) {
            return m.get(key);
        }
        if (value instanceof List<?> l && key instanceof BigDecimal i) {
            int k = i.intValueExact();
            int at = k < 0 ? l.size() + k : k;
            if (at >= 0 && at < l.size()) {
                return l.get(at);
            }
        }
        throw new Unknown();
    }

    private static Object method(Object value, String name, List<Object> args) {
        if (value instanceof String s && args.isEmpty()) {
            switch (name) {
                case "upper" -> {
                    return s.toUpperCase(Locale.ROOT);
                }
                case "lower" -> {
                    return s.toLowerCase(Locale.ROOT);
                }
                case "strip" -> {
                    return s.strip();
                }
                default -> throw new Unknown();
            }
        }
        if (value instanceof Map<?, ?> m && args.isEmpty()) {
            switch (name) {
                case "keys" -> {
                    return new ArrayList<Object>(m.keySet());
                }
                case "values" -> {
                    return new ArrayList<Object>(m.values());
                }
                case "items" -> {
                    return m.entrySet().stream().map(e -> (Object) List.of(e.getKey(), e.getValue())).toList();
                }
                default -> throw new Unknown();
            }
        }
        throw new Unknown();
    }

    private static Object filter(Object value, String name, List<Object> args) {
        switch (name) {
            case "upper" -> {
                return JinjaRenderer.str(value).toUpperCase(Locale.ROOT);
            }
            case "lower" -> {
                return JinjaRenderer.str(value).toLowerCase(Locale.ROOT);
            }
            case "trim" -> {
                return JinjaRenderer.str(value).strip();
            }
            case "string" -> {
                return JinjaRenderer.str(value);
            }
            case "default", "d" -> {
                // Jinja's do_default: undefined, or with boolean=true also any false value, gives the default.
                boolean orFalse = args.size() > 1 && JinjaRenderer.truthy(args.get(1));
                boolean replace = value == JinjaRenderer.UNDEFINED || orFalse && !JinjaRenderer.truthy(value);
                return replace ? (args.isEmpty() ? "" : args.get(0)) : value;
            }
            case "int" -> {
                if (args.size() > 1 && !BigDecimal.TEN.equals(number(args.get(1)))) {
                    throw new Unknown();
                }
                return toInt(value, args.isEmpty() ? BigDecimal.ZERO : args.get(0));
            }
            case "replace" -> {
                if (args.size() != 2) {
                    throw new Unknown();
                }
                String text = JinjaRenderer.str(value);
                return text.replace(JinjaRenderer.str(args.get(0)), JinjaRenderer.str(args.get(1)));
            }
            case "b64decode" -> {
                // SQLMesh's own filter, for secrets kept base64-encoded in environment variables.
                if (value instanceof String text) {
                    return b64decode(text);
                }
                throw new Unknown();
            }
            case "b64encode" -> {
                if (value instanceof String text) {
                    return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
                }
                throw new Unknown();
            }
            case "list" -> {
                if (value instanceof List<?> l) {
                    return new ArrayList<Object>(l);
                }
                if (value instanceof Map<?, ?> m) {
                    return new ArrayList<Object>(m.keySet());
                }
                if (value instanceof String text) {
                    return text.codePoints().mapToObj(Character::toString).collect(Collectors.toList());
                }
                throw new Unknown();
            }
            case "join" -> {
                if (value instanceof List<?> l) {
                    String sep = args.isEmpty() ? "" : JinjaRenderer.str(args.get(0));
                    return l.stream().map(JinjaRenderer::str).collect(Collectors.joining(sep));
                }
                throw new Unknown();
            }
            case "length", "count" -> {
                if (value instanceof List<?> l) {
                    return BigDecimal.valueOf(l.size());
                }
                if (value instanceof Map<?, ?> m) {
                    return BigDecimal.valueOf(m.size());
                }
                if (value instanceof String s) {
                    return BigDecimal.valueOf(s.length());
                }
                throw new Unknown();
            }
            case "first", "last" -> {
                if (value instanceof List<?> l && !l.isEmpty()) {
                    return name.equals("first") ? l.get(0) : l.get(l.size() - 1);
                }
                throw new Unknown();
            }
            default -> throw new Unknown();
        }
    }

    private static final String B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /**
     * Python's {@code base64.b64decode(text.encode()).decode()}: binascii's lenient decoding (characters outside
     * the alphabet are skipped, input ends at a complete padding), then strict UTF-8. Where Python raises, so
     * does this (as unknown: SQLMesh fails there too).
     */
    private static String b64decode(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int quadPos = 0;
        int pads = 0;
        int left = 0;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            if (b == '=') {
                if (quadPos >= 2 && quadPos + ++pads >= 4) {
                    quadPos = 0;
                    break;
                }
                continue;
            }
            int v = B64_ALPHABET.indexOf((char) (b & 0xff));
            if (b < 0 || v < 0) {
                continue;
            }
            pads = 0;
            // A quad's first character only carries its bits into the next one.
            switch (quadPos) {
                case 1 -> out.write(left << 2 | v >> 4);
                case 2 -> out.write((left & 0x0f) << 4 | v >> 2);
                case 3 -> out.write((left & 0x03) << 6 | v);
                default -> { }
            }
            left = v;
            quadPos = (quadPos + 1) % 4;
        }
        if (quadPos != 0) {
            throw new Unknown();
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new Unknown();
        }
    }

    private static final java.util.regex.Pattern PY_INT = java.util.regex.Pattern.compile("[+-]?[0-9]+(?:_[0-9]+)*");
    private static final java.util.regex.Pattern PY_FLOAT = java.util.regex.Pattern.compile(
            "[+-]?(?:[0-9]+(?:_[0-9]+)*(?:\\.(?:[0-9]+(?:_[0-9]+)*)?)?|\\.[0-9]+(?:_[0-9]+)*)"
                    + "(?:[eE][+-]?[0-9]+(?:_[0-9]+)*)?");

    /**
     * Jinja's {@code int} filter: Python's {@code int(value)}, else {@code int(float(value))} (so "42.23" gives 42),
     * else the default; booleans count as 1 and 0, None and lists take the default.
     */
    private static Object toInt(Object value, Object fallback) {
        if (value instanceof Boolean || value instanceof Number) {
            return new BigDecimal(num(value).toBigInteger());
        }
        if (value instanceof String s) {
            // Python strips surrounding whitespace and accepts underscores between digits.
            String text = s.strip();
            if (PY_INT.matcher(text).matches()) {
                return new BigDecimal(text.replace("_", ""));
            }
            if (PY_FLOAT.matcher(text).matches()) {
                // Through a double as Python does: huge values lose digits, infinity takes the default.
                double d = Double.parseDouble(text.replace("_", ""));
                return Double.isInfinite(d) ? fallback : new BigDecimal(new BigDecimal(d).toBigInteger());
            }
            return fallback;
        }
        if (value == null || value instanceof List<?> || value instanceof Map<?, ?>) {
            return fallback;
        }
        throw new Unknown();
    }

    private static BigDecimal num(Object v) {
        BigDecimal n = number(v);
        if (n == null) {
            throw new Unknown();
        }
        return n;
    }

    /** A number's value (True as 1, as in Python), else null. */
    static BigDecimal number(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Boolean b) {
            return b ? BigDecimal.ONE : BigDecimal.ZERO;
        }
        if (v instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        return null;
    }

    private boolean peek(String s) {
        return peekAt(0, s);
    }

    private boolean peekAt(int offset, String s) {
        return pos + offset < toks.size() && toks.get(pos + offset).is(s);
    }

    private boolean accept(String s) {
        if (peek(s)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String s) {
        if (!accept(s)) {
            throw new Unknown();
        }
    }

    private Tok next() {
        if (pos >= toks.size()) {
            throw new Unknown();
        }
        return toks.get(pos++);
    }

    private static List<Tok> tokenize(String expr) {
        List<Tok> out = new ArrayList<>();
        int i = 0;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'' || c == '"') {
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                while (j < expr.length() && expr.charAt(j) != c) {
                    if (expr.charAt(j) == '\\' && j + 1 < expr.length()) {
                        j++;
                    }
                    sb.append(expr.charAt(j++));
                }
                if (j >= expr.length()) {
                    throw new Unknown();
                }
                out.add(new Tok(sb.toString(), 's'));
                i = j + 1;
            } else if (Character.isDigit(c)) {
                int j = i;
                while (j < expr.length() && (Character.isDigit(expr.charAt(j)) || expr.charAt(j) == '.'
                        && j + 1 < expr.length() && Character.isDigit(expr.charAt(j + 1)))) {
                    j++;
                }
                out.add(new Tok(expr.substring(i, j).replace("_", ""), 'n'));
                i = j;
            } else if (Character.isJavaIdentifierStart(c)) {
                int j = i;
                while (j < expr.length() && Character.isJavaIdentifierPart(expr.charAt(j))) {
                    j++;
                }
                out.add(new Tok(expr.substring(i, j), 'w'));
                i = j;
            } else {
                String two = i + 1 < expr.length() ? expr.substring(i, i + 2) : "";
                if (List.of("==", "!=", "<=", ">=", "//", "**").contains(two)) {
                    out.add(new Tok(two, 'o'));
                    i += 2;
                } else {
                    out.add(new Tok(String.valueOf(c), 'o'));
                    i++;
                }
            }
        }
        return out;
    }
}
