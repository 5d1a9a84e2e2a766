package dev.sqlmeshdag.graph;

import dev.sqlmeshdag.core.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * SQLMesh's {@code --select-model} expressions: names (normalised like model names), {@code *} wildcards matched
 * against model names as written, {@code tag:x} / {@code tag:x*}, {@code +upstream}, {@code downstream+},
 * {@code &}, {@code |}, {@code ^} and parentheses. {@code &} binds tighter than {@code |}.
 */
public final class Selector {

    /** Thrown for an expression that does not parse; the message points at the place. */
    public static final class SyntaxException extends IllegalArgumentException {
        public SyntaxException(String message) {
            super(message);
        }
    }

    sealed interface Node permits Name, Tag, Not, And, Or, Direction {
    }

    record Name(String pattern) implements Node {
    }

    record Tag(String pattern) implements Node {
    }

    record Not(Node inner) implements Node {
    }

    record And(Node left, Node right) implements Node {
    }

    record Or(Node left, Node right) implements Node {
    }

    record Direction(Node inner, boolean up, boolean down) implements Node {
    }

    private final ModelGraph graph;
    private final UnaryOperator<String> normalise;

    /** @param normalise turns a name as a user writes it into an fqn, exactly as model names are normalised */
    public Selector(ModelGraph graph, UnaryOperator<String> normalise) {
        this.graph = graph;
        this.normalise = normalise;
    }

    /** The fqns an expression selects. */
    public Set<String> select(String expression) {
        return evaluate(parse(expression));
    }

    static Node parse(String expression) {
        Parser p = new Parser(expression, tokenize(expression));
        Node node = p.or();
        if (p.pos < p.tokens.size()) {
            throw p.error("unexpected '" + p.tokens.get(p.pos) + "'");
        }
        return node;
    }

    private Set<String> evaluate(Node node) {
        Set<String> all = graph.models().keySet();
        if (node instanceof Name n) {
            return n.pattern().contains("*") ? byWildcard(n.pattern()) : byName(n.pattern());
        }
        if (node instanceof Tag t) {
            return byTag(t.pattern().toLowerCase(Locale.ROOT));
        }
        if (node instanceof Not n) {
            return minus(all, evaluate(n.inner()));
        }
        if (node instanceof And a) {
            return intersect(evaluate(a.left()), evaluate(a.right()));
        }
        if (node instanceof Or o) {
            return union(evaluate(o.left()), evaluate(o.right()));
        }
        Direction d = (Direction) node;
        return expand(evaluate(d.inner()), d.up(), d.down());
    }

    private Set<String> byName(String name) {
        String fqn = normalise.apply(name);
        return graph.contains(fqn) ? Set.of(fqn) : Set.of();
    }

    private Set<String> byWildcard(String pattern) {
        Pattern glob = globToRegex(pattern);
        Set<String> out = new TreeSet<>();
        graph.models().forEach((fqn, m) -> {
            if (glob.matcher(m.name()).matches()) {
                out.add(fqn);
            }
        });
        return out;
    }

    private Set<String> byTag(String pattern) {
        Pattern glob = globToRegex(pattern);
        Set<String> out = new TreeSet<>();
        for (Model m : graph.models().values()) {
            if (m.tags().stream().anyMatch(t -> glob.matcher(t.toLowerCase(Locale.ROOT)).matches())) {
                out.add(m.fqn());
            }
        }
        return out;
    }

    private Set<String> expand(Set<String> selected, boolean up, boolean down) {
        Set<String> out = new TreeSet<>(selected);
        for (String fqn : selected) {
            if (up) {
                out.addAll(graph.upstream(fqn));
            }
            if (down) {
                out.addAll(graph.downstream(fqn));
            }
        }
        return out;
    }

    /** fnmatch semantics: {@code *} any run, {@code ?} one character, {@code [..]} a class; case-sensitive. */
    static Pattern globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int close = glob.indexOf(']', i + 2);
                    if (close < 0) {
                        re.append("\\[");
                    } else {
                        String body = glob.substring(i + 1, close);
                        re.append('[').append(body.startsWith("!") ? "^" + body.substring(1) : body).append(']');
                        i = close;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }

    private static Set<String> intersect(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.retainAll(b);
        return out;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.addAll(b);
        return out;
    }

    private static final String OPERATORS = "()&|^+:";

    /** Operators are single characters; anything else up to whitespace or an operator is one word. */
    static List<String> tokenize(String s) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (OPERATORS.indexOf(c) >= 0) {
                tokens.add(String.valueOf(c));
                i++;
            } else {
                int start = i;
                while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && OPERATORS.indexOf(s.charAt(i)) < 0) {
                    i++;
                }
                tokens.add(s.substring(start, i));
            }
        }
        return tokens;
    }

    private static final class Parser {
        final String text;
        final List<String> tokens;
        int pos;

        Parser(String text, List<String> tokens) {
            this.text = text;
            this.tokens = tokens;
        }

        Node or() {
            Node left = and();
            if (match("|")) {
                return new Or(left, or());
            }
            return left;
        }

        Node and() {
            Node left = unary();
            while (match("&")) {
                left = new And(left, unary());
            }
            return left;
        }

        Node unary() {
            if (match("^")) {
                return new Not(unary());
            }
            return term();
        }

        Node term() {
            boolean up = match("+");
            boolean tag = false;
            if (pos + 1 < tokens.size() && tokens.get(pos).equalsIgnoreCase("tag") && tokens.get(pos + 1).equals(":")) {
                pos += 2;
                tag = true;
            }
            Node inner;
            if (match("(")) {
                inner = or();
                if (!match(")")) {
                    throw error("missing ')'");
                }
            } else if (pos < tokens.size() && !isOperator(tokens.get(pos))) {
                String word = tokens.get(pos++);
                inner = tag ? new Tag(word) : new Name(word);
            } else {
                throw error("expected a model name, tag:NAME or '('");
            }
            boolean down = match("+");
            return up || down ? new Direction(inner, up, down) : inner;
        }

        boolean match(String token) {
            if (pos < tokens.size() && tokens.get(pos).equals(token)) {
                pos++;
                return true;
            }
            return false;
        }

        static boolean isOperator(String token) {
            return token.length() == 1 && OPERATORS.indexOf(token.charAt(0)) >= 0;
        }

        SyntaxException error(String what) {
            String at = pos < tokens.size() ? "at token " + (pos + 1) + " ('" + tokens.get(pos) + "')" : "at the end";
            return new SyntaxException("invalid selector '" + text + "': " + what + " " + at);
        }
    }
}
