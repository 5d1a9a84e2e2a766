package dev.sqlmeshdag.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.stream.Stream;

/**
 * The project's Python macros whose whole body is one {@code return} of a string, so their result can be known
 * without running Python:
 *
 * <pre>
 * &#64;macro()
 * def source_table(evaluator, name):
 *     return f"raw.{name.name}_v2"
 * </pre>
 *
 * The string may be plain, an f-string whose placeholders are {@code {param}}, {@code {param.name}} or
 * {@code {param.sql()}}, or wrapped in {@code exp.to_table(...)}. Anything else (other statements, annotations,
 * defaults, decorator arguments, a name defined twice) is not evaluated, and the caller keeps warning. Arguments
 * must be plain names or literals, whose {@code .name} and {@code .sql()} are unambiguous.
 */
public final class StaticMacros {

    /** @param params the parameters after the evaluator; @param template the string's text, placeholders intact */
    public record Macro(String name, List<String> params, String template, boolean formatted) {
    }

    private static final Pattern DEFINITION = Pattern.compile(
            "^@macro(?:\\(\\s*\\))?[ \\t]*\\r?\\n"
                    + "def[ \\t]+(\\w+)[ \\t]*\\(([\\w \\t,]*)\\)[ \\t]*:[ \\t]*\\r?\\n"
                    + "(?:[ \\t]+(?:\"\"\"[^\\n]*?\"\"\"|'''[^\\n]*?''')[ \\t]*\\r?\\n)?"
                    + "[ \\t]+return[ \\t]+(exp\\.to_table\\()?(f?)(\"[^\"\\\\\\n]*\"|'[^'\\\\\\n]*')(\\))?[ \\t]*"
                    + "(?:#[^\\n]*)?(?:\\r?\\n|$)",
            Pattern.MULTILINE);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)(\\.name|\\.sql\\(\\))?}");
    private static final Pattern NAME_PART = Pattern.compile("[A-Za-z_][\\w$]*|\"[^\"]+\"");
    private static final Pattern NAME_CHAIN = Pattern.compile(
            "(?:[A-Za-z_][\\w$]*|\"[^\"]+\")(?:[ \\t]*\\.[ \\t]*(?:[A-Za-z_][\\w$]*|\"[^\"]+\"))*");
    private static final Pattern LITERAL = Pattern.compile("'[^'\\\\]*'|-?\\d+");

    private StaticMacros() {
    }

    /** The evaluable macros among {@code names} (lower case), read from {@code macros/} under the project root. */
    public static Map<String, Macro> read(Path root, Set<String> names) {
        Path folder = root.resolve("macros");
        if (names.isEmpty() || !Files.isDirectory(folder)) {
            return Map.of();
        }
        Map<String, Macro> found = new HashMap<>();
        Set<String> ambiguous = new HashSet<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".py")).sorted().toList()) {
                for (Macro m : parse(readText(file))) {
                    if (found.putIfAbsent(m.name(), m) != null) {
                        ambiguous.add(m.name());
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return Map.of();
        }
        found.keySet().removeAll(ambiguous);
        found.keySet().retainAll(names);
        return Map.copyOf(found);
    }

    private static String readText(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Every definition in one file that has the evaluable shape, however many other definitions it holds. */
    static List<Macro> parse(String source) {
        List<Macro> out = new ArrayList<>();
        Matcher m = DEFINITION.matcher(source);
        while (m.find()) {
            List<String> params = new ArrayList<>();
            for (String p : m.group(2).split(",")) {
                if (!p.isBlank()) {
                    params.add(p.strip());
                }
            }
            boolean wrapped = m.group(3) != null;
            if (params.isEmpty() || wrapped != (m.group(6) != null) || !bodyEndsAfterReturn(source, m.end())) {
                continue;
            }
            String literal = m.group(5);
            String template = literal.substring(1, literal.length() - 1);
            boolean formatted = !m.group(4).isEmpty();
            if (formatted && !placeholdersAreSimple(template, params.subList(1, params.size()))) {
                continue;
            }
            out.add(new Macro(m.group(1).toLowerCase(Locale.ROOT), List.copyOf(params.subList(1, params.size())),
                    template, formatted));
        }
        return out;
    }

    /** The function ends at the return: the next non-blank line is not indented (or the file ends). */
    private static boolean bodyEndsAfterReturn(String source, int from) {
        for (String line : source.substring(from).split("\\r?\\n", -1)) {
            if (!line.isBlank()) {
                return !Character.isWhitespace(line.charAt(0));
            }
        }
        return true;
    }

    private static boolean placeholdersAreSimple(String template, List<String> params) {
        String withoutEscapes = template.replace("{{", "").replace("}}", "");
        Matcher p = PLACEHOLDER.matcher(withoutEscapes);
        StringBuilder rest = new StringBuilder();
        int last = 0;
        while (p.find()) {
            if (!params.contains(p.group(1))) {
                return false;
            }
            rest.append(withoutEscapes, last, p.start());
            last = p.end();
        }
        rest.append(withoutEscapes.substring(last));
        return rest.indexOf("{") < 0 && rest.indexOf("}") < 0;
    }

    /** The macro's SQL for these arguments (each as rendered SQL), or empty when an argument is not simple. */
    public static Optional<String> apply(Macro macro, List<String> args) {
        if (args.size() != macro.params().size()) {
            return Optional.empty();
        }
        Map<String, String[]> values = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            Optional<String[]> v = nameAndSql(args.get(i).strip());
            if (v.isEmpty()) {
                return Optional.empty();
            }
            values.put(macro.params().get(i), v.get());
        }
        if (!macro.formatted()) {
            return Optional.of(macro.template());
        }
        Matcher p = PLACEHOLDER.matcher(macro.template());
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (p.find()) {
            out.append(unescapeBraces(macro.template().substring(last, p.start())));
            String[] v = values.get(p.group(1));
            out.append(".name".equals(p.group(2)) ? v[0] : v[1]);
            last = p.end();
        }
        out.append(unescapeBraces(macro.template().substring(last)));
        return Optional.of(out.toString());
    }

    private static String unescapeBraces(String text) {
        return text.replace("{{", "{").replace("}}", "}");
    }

    /** True for a plain, possibly dotted and quoted, name such as {@code raw.orders_v2}. */
    public static boolean isName(String sql) {
        return NAME_CHAIN.matcher(sql.strip()).matches();
    }

    /** {@code [.name, .sql()]} of a plain (dotted) name or a literal, as sqlglot gives them; else empty. */
    static Optional<String[]> nameAndSql(String arg) {
        if (NAME_CHAIN.matcher(arg).matches()) {
            List<String> parts = new ArrayList<>();
            Matcher part = NAME_PART.matcher(arg);
            while (part.find()) {
                parts.add(part.group());
            }
            String last = parts.get(parts.size() - 1);
            String name = last.startsWith("\"") ? last.substring(1, last.length() - 1) : last;
            return Optional.of(new String[] {name, String.join(".", parts)});
        }
        if (LITERAL.matcher(arg).matches()) {
            String name = arg.startsWith("'") ? arg.substring(1, arg.length() - 1) : arg;
            return Optional.of(new String[] {name, arg});
        }
        return Optional.empty();
    }
}
