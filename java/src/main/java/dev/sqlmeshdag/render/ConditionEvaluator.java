package dev.sqlmeshdag.render;

import dev.sqlmeshdag.sql.Dialect;
import dev.sqlmeshdag.sql.SqlLexer;
import dev.sqlmeshdag.sql.SqlToken;
import dev.sqlmeshdag.sql.SqlToken.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides an {@code @IF} condition after its macros are rendered, the way SQLMesh does when it runs the condition as
 * Python: literals, comparisons, IN, IS NULL, BETWEEN, NOT/AND/OR and simple arithmetic. Anything else (a column,
 * a function) cannot be known while loading, so the answer is empty and the caller decides what to assume.
 */
final class ConditionEvaluator {

    /** Thrown inside the parser when the condition holds something that cannot be evaluated statically. */
    private static final class Undecidable extends RuntimeException {
        Undecidable() {
            super(null, null, false, false);
        }
    }

    private static final Set<String> COMPARISONS = Set.of("=", "<", ">", "<=", ">=", "<>", "!=");

    private final List<SqlToken> tokens;
    private int pos;

    private ConditionEvaluator(List<SqlToken> tokens) {
        this.tokens = tokens;
    }

    static Optional<Boolean> evaluate(String condition, Dialect dialect) {
        ConditionEvaluator e = new ConditionEvaluator(SqlLexer.tokens(condition, dialect));
        try {
            Object value = e.or();
            if (e.pos != e.tokens.size()) {
                return Optional.empty();
            }
            return Optional.of(truthy(value));
        } catch (Undecidable | ArithmeticException ex) {
            return Optional.empty();
        }
    }

    private Object or() {
        Object left = and();
        while (accept("OR")) {
            Object right = and();
            left = truthy(left) ? left : right;
        }
        return left;
    }

    private Object and() {
        Object left = not();
        while (accept("AND")) {
            Object right = not();
            left = truthy(left) ? right : left;
        }
        return left;
    }

    private Object not() {
        if (accept("NOT")) {
            return !truthy(not());
        }
        return comparison();
    }

    private Object comparison() {
        Object left = additive();
        if (accept("IS")) {
            boolean negate = accept("NOT");
            Object right = primary();
            boolean same = Objects.equals(left, right);
            return negate != same;
        }
        boolean negate = accept("NOT");
        if (accept("IN")) {
            return negate != inList(left);
        }
        if (accept("BETWEEN")) {
            Object low = additive();
            expect("AND");
            Object high = additive();
            return negate != (compare(left, low) >= 0 && compare(left, high) <= 0);
        }
        if (negate) {
            throw new Undecidable();
        }
        String op = operator();
        if (op == null) {
            return left;
        }
        Object right = additive();
        return switch (op) {
            case "=", "==" -> equal(left, right);
            case "!=", "<>" -> !equal(left, right);
            case "<" -> compare(left, right) < 0;
            case ">" -> compare(left, right) > 0;
            case "<=" -> compare(left, right) <= 0;
            default -> compare(left, right) >= 0;
        };
    }

    private boolean inList(Object left) {
        expect("(");
        List<Object> items = new ArrayList<>();
        if (!accept(")")) {
            do {
                items.add(or());
            } while (accept(","));
            expect(")");
        }
        return items.stream().anyMatch(item -> equal(left, item));
    }

    /** A comparison operator; the lexer reads {@code <=}, {@code <>}, {@code !=} whole, {@code ==} as two tokens. */
    private String operator() {
        if (pos >= tokens.size()) {
            return null;
        }
        String op = tokens.get(pos).text();
        if (!COMPARISONS.contains(op) && !op.equals("!")) {
            return null;
        }
        pos++;
        if (op.equals("=") && pos < tokens.size() && !tokens.get(pos).spaceBefore() && tokens.get(pos).is("=")) {
            pos++;
            return "==";
        }
        if (op.equals("!")) {
            throw new Undecidable();
        }
        return op;
    }

    private Object additive() {
        Object left = unary();
        while (pos < tokens.size()) {
            SqlToken t = tokens.get(pos);
            if (t.is("+") || t.is("-")) {
                pos++;
                BigDecimal r = number(unary());
                left = t.is("+") ? number(left).add(r) : number(left).subtract(r);
            } else if (t.is("||")) {
                pos++;
                left = String.valueOf(left) + unary();
            } else {
                return left;
            }
        }
        return left;
    }

    private Object unary() {
        if (accept("-")) {
            return number(unary()).negate();
        }
        return primary();
    }

    private Object primary() {
        if (pos >= tokens.size()) {
            throw new Undecidable();
        }
        SqlToken t = tokens.get(pos++);
        if (t.is("(")) {
            Object v = or();
            expect(")");
            return v;
        }
        if (t.is(Kind.NUMBER)) {
            return new BigDecimal(t.text());
        }
        if (t.isStringLiteral() && SqlValues.isStringLiteral(t.text())) {
            return SqlValues.unquote(t.text());
        }
        if (t.is("TRUE") || t.is("FALSE")) {
            return t.is("TRUE");
        }
        if (t.is("NULL")) {
            return null;
        }
        throw new Undecidable();
    }

    private boolean accept(String word) {
        if (pos < tokens.size() && tokens.get(pos).is(word)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String word) {
        if (!accept(word)) {
            throw new Undecidable();
        }
    }

    private static BigDecimal number(Object v) {
        if (v instanceof BigDecimal b) {
            return b;
        }
        if (v instanceof Boolean b) {
            return b ? BigDecimal.ONE : BigDecimal.ZERO;
        }
        throw new Undecidable();
    }

    /** Python equality: numbers by value, True == 1, a string never equals a number. */
    private static boolean equal(Object a, Object b) {
        if (a instanceof String || b instanceof String || a == null || b == null) {
            return Objects.equals(a, b);
        }
        return number(a).compareTo(number(b)) == 0;
    }

    private static int compare(Object a, Object b) {
        if (a instanceof String sa && b instanceof String sb) {
            return sa.compareTo(sb);
        }
        return number(a).compareTo(number(b));
    }

    static boolean truthy(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof BigDecimal n) {
            return n.signum() != 0;
        }
        return !v.toString().isEmpty();
    }
}
