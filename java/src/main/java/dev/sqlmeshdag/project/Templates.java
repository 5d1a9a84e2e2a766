package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of Jinja that SQLMesh config files use before YAML parsing: {@code {{ env_var('X') }}},
 * {@code {{ env_var('X', 'default') }}}, {@code {{ var('x', default) }}} and {@code {{ user() }}}, plus
 * {@code {# comments #}}. Anything else is reported instead of being passed through half-rendered.
 */
final class Templates {

    private static final Pattern CALL = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\((.*)\\)\\s*", Pattern.DOTALL);
    private static final Pattern ARG = Pattern.compile(
            "\\s*(?:'((?:[^'\\\\]|\\\\.)*)'|\"((?:[^\"\\\\]|\\\\.)*)\"|(-?[0-9]+(?:\\.[0-9]+)?)|(None|True|False))\\s*(,|$)");

    private final Map<String, String> env;
    private final String file;
    private final Problems problems;

    private Templates(Map<String, String> env, String file, Problems problems) {
        this.env = env;
        this.file = file;
        this.problems = problems;
    }

    /** The text with every supported expression replaced; unsupported ones are recorded as errors and left out. */
    static String render(String text, Map<String, String> env, String file, Problems problems) {
        return new Templates(env, file, problems).render(text);
    }

    private String render(String text) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (true) {
            int start = nextTag(text, pos);
            if (start < 0) {
                out.append(text, pos, text.length());
                return out.toString();
            }
            char kind = text.charAt(start + 1);
            String close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            int end = text.indexOf(close, start + 2);
            if (end < 0) {
                problems.error(location(text, start), "unclosed '{" + kind + "': add the closing '" + close + "'");
                out.append(text, pos, start);
                return out.toString();
            }
            String before = text.substring(pos, start);
            String inner = text.substring(start + 2, end);
            boolean trimLeft = inner.startsWith("-");
            boolean trimRight = inner.endsWith("-");
            inner = inner.substring(trimLeft ? 1 : 0, inner.length() - (trimRight && inner.length() > 0 ? 1 : 0));
            out.append(trimLeft ? before.stripTrailing() : before);
            if (kind == '{') {
                out.append(evaluate(inner, location(text, start)));
            } else if (kind == '%') {
                problems.error(location(text, start), "Jinja statement '{%" + inner + "%}' is not supported in config"
                        + " files here; use only {{ env_var('NAME', 'default') }} expressions");
            }
            pos = end + 2;
            if (trimRight) {
                while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                    pos++;
                }
            }
        }
    }

    private static int nextTag(String text, int from) {
        for (int i = text.indexOf('{', from); i >= 0 && i + 1 < text.length(); i = text.indexOf('{', i + 1)) {
            char c = text.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    private String evaluate(String expression, Location at) {
        Matcher call = CALL.matcher(expression);
        List<Object> args = call.matches() ? arguments(call.group(2)) : null;
        if (args == null) {
            return unsupported(expression, at);
        }
        String function = call.group(1);
        switch (function) {
            case "env_var" -> {
                if (args.isEmpty() || args.size() > 2 || !(args.get(0) instanceof String name)) {
                    return unsupported(expression, at);
                }
                String value = env.get(name);
                if (value != null) {
                    return value;
                }
                if (args.size() == 1) {
                    // SQLMesh renders a missing variable as Python's None, which YAML then reads as the string "None".
                    problems.warning(at, "environment variable '" + name + "' is not set and has no default, so"
                            + " SQLMesh reads the text 'None' here; set it or write env_var('" + name + "', 'default')");
                }
                return pythonStr(args.size() == 2 ? args.get(1) : null);
            }
            case "var" -> {
                // Config files are rendered without variables, so var() always yields its default.
                if (args.isEmpty() || args.size() > 2) {
                    return unsupported(expression, at);
                }
                return pythonStr(args.size() == 2 ? args.get(1) : null);
            }
            case "user" -> {
                if (!args.isEmpty()) {
                    return unsupported(expression, at);
                }
                return env.getOrDefault("LOGNAME", env.getOrDefault("USER",
                        env.getOrDefault("LNAME", env.getOrDefault("USERNAME", System.getProperty("user.name")))));
            }
            default -> {
                return unsupported(expression, at);
            }
        }
    }

    private String unsupported(String expression, Location at) {
        problems.error(at, "cannot evaluate '{{" + expression + "}}'; config files may use only"
                + " {{ env_var('NAME') }}, {{ env_var('NAME', 'default') }}, {{ var('name', default) }} and {{ user() }}");
        return "";
    }

    /** Literal arguments of a call, or null when one is not a literal. */
    private static List<Object> arguments(String text) {
        List<Object> args = new ArrayList<>();
        if (text.isBlank()) {
            return args;
        }
        Matcher m = ARG.matcher(text);
        int pos = 0;
        while (pos < text.length()) {
            if (!m.find(pos) || m.start() != pos) {
                return null;
            }
            if (m.group(1) != null || m.group(2) != null) {
                args.add(unescape(m.group(1) != null ? m.group(1) : m.group(2)));
            } else if (m.group(3) != null) {
                args.add(m.group(3));
            } else {
                args.add(switch (m.group(4)) {
                    case "True" -> Boolean.TRUE;
                    case "False" -> Boolean.FALSE;
                    default -> null;
                });
            }
            pos = m.end();
            if (m.group(5).isEmpty()) {
                break;
            }
        }
        return pos >= text.length() ? args : null;
    }

    private static String unescape(String s) {
        return s.replaceAll("\\\\(.)", "$1");
    }

    private static String pythonStr(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return value.toString();
    }

    private Location location(String text, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new Location(file, line, offset - lineStart + 1);
    }
}
