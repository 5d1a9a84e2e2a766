package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.parse.ParseException;
import dev.sqlmeshdag.parse.PyLexer;
import dev.sqlmeshdag.parse.PyToken;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the literal parts of a {@code config.py} without running it: module-level assignments whose values are
 * {@code Config(...)}, {@code GatewayConfig(...)}, {@code ModelDefaultsConfig(...)}, {@code *ConnectionConfig(...)}
 * calls, dicts, lists, strings, numbers, booleans, {@code os.getenv('X', 'default')} and names bound earlier
 * in the module. Anything else becomes a {@link Node.Opaque} that is reported only if its value is needed.
 */
final class PythonConfigReader {

    private record Token(String kind, String text, int line, int col, boolean lineStart) {
    }

    private final String file;
    private final Map<String, String> env;
    private final List<Token> tokens = new ArrayList<>();
    private final Map<String, Node> bindings = new HashMap<>();
    private int pos;

    private PythonConfigReader(String file, Map<String, String> env) {
        this.file = file;
        this.env = env;
    }

    /**
     * The {@code config} object as a node tree shaped like the YAML form, or null when there is none
     * (an error is recorded).
     */
    static Node read(String source, String file, Map<String, String> env, Problems problems) {
        PythonConfigReader reader = new PythonConfigReader(file, env);
        if (!reader.tokenize(source, problems)) {
            return null;
        }
        reader.readModule();
        Node config = reader.bindings.get("config");
        if (config == null) {
            problems.error(new Location(file, 1, 1), "config.py does not assign `config = Config(...)` at module"
                    + " level, which is the object SQLMesh loads; add it");
            return null;
        }
        if (!(config instanceof Node.MapNode)) {
            problems.unresolvedConfig(config.location(), "cannot read the Config object statically; assign"
                    + " `config = Config(...)` with literal arguments (or pass --dialect)");
            return null;
        }
        return config;
    }

    /** Reads the tokens with the same Python tokenizer as model files, so both accept exactly the same source. */
    private boolean tokenize(String source, Problems problems) {
        List<PyToken> pyTokens;
        try {
            pyTokens = PyLexer.tokenize(source);
        } catch (ParseException e) {
            problems.error(locationOf(source, e.offset()), "cannot read config.py: " + e.getMessage());
            return false;
        }
        boolean atLineStart = true;
        for (PyToken t : pyTokens) {
            if (t.kind() == PyToken.Kind.NEWLINE) {
                tokens.add(new Token("newline", "\n", t.line(), t.col(), false));
                atLineStart = true;
            } else {
                // only unindented statements are module-level assignments
                tokens.add(new Token(t.kind().name().toLowerCase(Locale.ROOT), t.text(), t.line(), t.col(),
                        atLineStart && t.col() == 1));
                atLineStart = false;
            }
        }
        int lastLine = pyTokens.isEmpty() ? 1 : pyTokens.get(pyTokens.size() - 1).line();
        tokens.add(new Token("newline", "\n", lastLine, 1, false));
        tokens.add(new Token("end", "", lastLine, 1, false));
        return true;
    }

    private Location locationOf(String source, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            line += source.charAt(i) == '\n' ? 1 : 0;
        }
        return new Location(file, line, offset - source.lastIndexOf('\n', offset - 1));
    }

    /** Records every top-level {@code name = expression}; other statements are skipped. */
    private void readModule() {
        while (!peek().kind().equals("end")) {
            Token first = peek();
            if (first.lineStart() && first.kind().equals("name") && peekAt(1).text().equals("=")
                    && peekAt(1).kind().equals("op")) {
                pos += 2;
                Node value = expression();
                if (peek().kind().equals("newline")) {
                    bindings.put(first.text(), value);
                } else {
                    bindings.put(first.text(), new Node.Opaque("the value of `" + first.text() + "`",
                            loc(first)));
                }
            }
            skipToNewline();
        }
    }

    private void skipToNewline() {
        while (!peek().kind().equals("newline") && !peek().kind().equals("end")) {
            pos++;
        }
        if (peek().kind().equals("newline")) {
            pos++;
        }
    }

    /** One expression; anything beyond a literal, a call or a name is swallowed into an Opaque node. */
    private Node expression() {
        Token start = peek();
        Node value = primary();
        if (!atExpressionEnd()) {
            skipExpressionRest();
            return new Node.Opaque("the expression starting `" + start.text() + "`", loc(start));
        }
        return value;
    }

    private boolean atExpressionEnd() {
        Token t = peek();
        return t.kind().equals("newline") || t.kind().equals("end")
                || (t.kind().equals("op") && (t.text().equals(",") || t.text().equals(")")
                || t.text().equals("]") || t.text().equals("}") || t.text().equals(":")));
    }

    private void skipExpressionRest() {
        int depth = 0;
        while (!peek().kind().equals("end") && !(depth == 0 && atExpressionEnd())) {
            Token t = next();
            if (t.kind().equals("op") && "([{".contains(t.text())) {
                depth++;
            } else if (t.kind().equals("op") && ")]}".contains(t.text())) {
                depth--;
            } else if (t.kind().equals("newline") && depth == 0) {
                pos--;
                return;
            }
        }
    }

    private Node primary() {
        Token t = next();
        Location at = loc(t);
        switch (t.kind()) {
            case "string" -> {
                return strings(t);
            }
            case "number" -> {
                return new Node.Scalar(YamlReader.typed(t.text()), at);
            }
            case "name" -> {
                return nameOrCall(t);
            }
            default -> {
            }
        }
        if (t.text().equals("{")) {
            return dict(at);
        }
        if (t.text().equals("[") || t.text().equals("(")) {
            return list(at, t.text().equals("[") ? "]" : ")");
        }
        if (t.text().equals("-") && peek().kind().equals("number")) {
            return new Node.Scalar(YamlReader.typed("-" + next().text()), at);
        }
        pos--;
        return new Node.Opaque("the expression starting `" + t.text() + "`", at);
    }

    private Node strings(Token first) {
        StringBuilder out = new StringBuilder();
        Token t = first;
        while (true) {
            int quoteAt = 0;
            while (Character.isLetter(t.text().charAt(quoteAt))) {
                quoteAt++;
            }
            String prefix = t.text().substring(0, quoteAt);
            if (prefix.toLowerCase().contains("f")) {
                return new Node.Opaque("the f-string " + first.text(), loc(first));
            }
            String body = t.text().substring(prefix.length());
            int quote = body.startsWith("'''") || body.startsWith("\"\"\"") ? 3 : 1;
            String inner = body.substring(quote, body.length() - quote);
            out.append(prefix.toLowerCase().contains("r") ? inner : unescape(inner));
            if (!peek().kind().equals("string")) {
                return new Node.Scalar(out.toString(), loc(first));
            }
            t = next();
        }
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\t", "\t").replace("\\'", "'").replace("\\\"", "\"")
                .replace("\\\\", "\\");
    }

    private Node nameOrCall(Token first) {
        StringBuilder dotted = new StringBuilder(first.text());
        while (peek().text().equals(".") && peekAt(1).kind().equals("name")) {
            pos++;
            dotted.append('.').append(next().text());
        }
        String name = dotted.toString();
        Location at = loc(first);
        if (peek().text().equals("(")) {
            pos++;
            return call(name, at);
        }
        if (peek().text().equals("[")) {
            return new Node.Opaque("the subscript `" + name + "[...]`", at);
        }
        switch (name) {
            case "True" -> {
                return new Node.Scalar(Boolean.TRUE, at);
            }
            case "False" -> {
                return new Node.Scalar(Boolean.FALSE, at);
            }
            case "None" -> {
                return new Node.Scalar(null, at);
            }
            default -> {
                Node bound = bindings.get(name);
                return bound != null ? bound : new Node.Opaque("the name `" + name + "`", at);
            }
        }
    }

    private Node call(String callee, Location at) {
        List<Node> positional = new ArrayList<>();
        Map<String, Node.Entry> keywords = new LinkedHashMap<>();
        boolean unreadable = false;
        while (!peek().text().equals(")") && !peek().kind().equals("end")) {
            Token t = peek();
            if (t.kind().equals("name") && peekAt(1).text().equals("=") && peekAt(1).kind().equals("op")) {
                pos += 2;
                keywords.put(t.text(), new Node.Entry(t.text(), loc(t), expression()));
            } else if (t.text().equals("*") || t.text().equals("**")) {
                unreadable = true;
                pos++;
                expression();
            } else {
                positional.add(expression());
            }
            if (peek().text().equals(",")) {
                pos++;
            } else if (!peek().text().equals(")")) {
                skipExpressionRest();
                if (!peek().text().equals(")")) {
                    return new Node.Opaque("the call `" + callee + "(...)`", at);
                }
            }
        }
        pos++;
        String simple = callee.substring(callee.lastIndexOf('.') + 1);
        if (unreadable) {
            return new Node.Opaque("the `**`/`*` arguments of `" + callee + "(...)`", at);
        }
        if (simple.equals("getenv") || callee.endsWith("environ.get")) {
            return getenv(callee, positional, at);
        }
        Optional<String> connectionType = ConnectionTypes.ofClass(simple);
        if (connectionType.isPresent()) {
            Map<String, Node.Entry> withType = new LinkedHashMap<>();
            withType.put("type", new Node.Entry("type", at, new Node.Scalar(connectionType.get(), at)));
            withType.putAll(keywords);
            return new Node.MapNode(withType, at);
        }
        if (simple.endsWith("Config") && positional.isEmpty()) {
            return new Node.MapNode(keywords, at);
        }
        if (simple.equals("dict") && positional.isEmpty()) {
            return new Node.MapNode(keywords, at);
        }
        return new Node.Opaque("the call `" + callee + "(...)`", at);
    }

    private Node getenv(String callee, List<Node> args, Location at) {
        if (args.isEmpty() || args.size() > 2 || !(args.get(0) instanceof Node.Scalar name)
                || !(name.value() instanceof String key)) {
            return new Node.Opaque("the call `" + callee + "(...)`", at);
        }
        String value = env.get(key);
        if (value != null) {
            return new Node.Scalar(value, at);
        }
        return args.size() == 2 ? args.get(1) : new Node.Scalar(null, at);
    }

    private Node dict(Location at) {
        Map<String, Node.Entry> entries = new LinkedHashMap<>();
        boolean readable = true;
        while (!peek().text().equals("}") && !peek().kind().equals("end")) {
            Token keyToken = peek();
            Node key = expression();
            if (!peek().text().equals(":")) {
                skipExpressionRest();
                readable = false;
            } else {
                pos++;
                Node value = expression();
                if (key instanceof Node.Scalar scalar && scalar.value() != null) {
                    entries.put(scalar.text(), new Node.Entry(scalar.text(), loc(keyToken), value));
                } else {
                    readable = false;
                }
            }
            if (peek().text().equals(",")) {
                pos++;
            } else if (!peek().text().equals("}")) {
                return new Node.Opaque("the dict literal", at);
            }
        }
        pos++;
        return readable ? new Node.MapNode(entries, at) : new Node.Opaque("the dict literal", at);
    }

    private Node list(Location at, String close) {
        List<Node> items = new ArrayList<>();
        while (!peek().text().equals(close) && !peek().kind().equals("end")) {
            items.add(expression());
            if (peek().text().equals(",")) {
                pos++;
            } else if (!peek().text().equals(close)) {
                return new Node.Opaque("the list literal", at);
            }
        }
        pos++;
        return new Node.ListNode(items, at);
    }

    private Token peek() {
        return tokens.get(Math.min(pos, tokens.size() - 1));
    }

    private Token peekAt(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = peek();
        pos = Math.min(pos + 1, tokens.size() - 1);
        return t;
    }

    private Location loc(Token t) {
        return new Location(file, t.line(), t.col());
    }
}
