package dev.sqlmeshdag.project;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code ignore_patterns} as SQLMesh's loader applies them. A file is skipped when either
 * <ul>
 *   <li>the pattern, read as a glob relative to the project root ({@code **} spans folders, wildcards do not
 *   match names starting with a dot), names that very file; or</li>
 *   <li>the pattern matches the end of the file's absolute path part by part, the way a relative
 *   {@code PurePath.match} does (so {@code .ipynb_checkpoints/*} skips such folders at any depth, and
 *   {@code staging/*} skips files directly in any folder called staging).</li>
 * </ul>
 * A bare folder name ({@code models/legacy}) skips nothing; it takes {@code models/legacy/*} (direct
 * children) or {@code models/legacy/**}{@code /*} (everything below).
 */
final class IgnorePatterns {

    private final List<String> patterns;

    IgnorePatterns(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    boolean ignores(Path root, Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        List<String> relative = parts(root.toAbsolutePath().normalize().relativize(absolute).toString());
        List<String> absoluteParts = parts(absolute.toString());
        for (String pattern : patterns) {
            if (matchesFromRight(absoluteParts, pattern) || globMatches(parts(pattern), 0, relative, 0)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> parts(String path) {
        List<String> out = new ArrayList<>();
        for (String part : path.replace('\\', '/').split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                out.add(part);
            }
        }
        return out;
    }

    private static boolean matchesFromRight(List<String> pathParts, String pattern) {
        List<String> patternParts = parts(pattern);
        if (patternParts.isEmpty()) {
            return false;
        }
        if (pattern.startsWith("/") ? patternParts.size() != pathParts.size() : patternParts.size() > pathParts.size()) {
            return false;
        }
        for (int i = 1; i <= patternParts.size(); i++) {
            if (!fnmatch(pathParts.get(pathParts.size() - i), patternParts.get(patternParts.size() - i))) {
                return false;
            }
        }
        return true;
    }

    /** Python's recursive glob over the project tree, asked about one existing file. */
    private static boolean globMatches(List<String> pattern, int p, List<String> path, int i) {
        if (p == pattern.size()) {
            return i == path.size();
        }
        String segment = pattern.get(p);
        if (segment.equals("**")) {
            if (globMatches(pattern, p + 1, path, i)) {
                return true;
            }
            return i < path.size() && !path.get(i).startsWith(".") && globMatches(pattern, p, path, i + 1);
        }
        if (i == path.size()) {
            return false;
        }
        String name = path.get(i);
        boolean magic = segment.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
        boolean ok = magic ? (!name.startsWith(".") || segment.startsWith(".")) && fnmatch(name, segment)
                : name.equals(segment);
        return ok && globMatches(pattern, p + 1, path, i + 1);
    }

    static boolean fnmatch(String name, String pattern) {
        return Pattern.compile(translate(pattern), Pattern.DOTALL).matcher(name).matches();
    }

    /** fnmatch's wildcard language ({@code * ? [seq] [!seq]}) as a regular expression. */
    private static String translate(String pattern) {
        StringBuilder re = new StringBuilder();
        char[] chars = pattern.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[') {
                int j = i + 1;
                if (j < chars.length && chars[j] == '!') {
                    j++;
                }
                if (j < chars.length && chars[j] == ']') {
                    j++;
                }
                while (j < chars.length && chars[j] != ']') {
                    j++;
                }
                if (j >= chars.length) {
                    re.append("\\[");
                } else {
                    String set = new String(Arrays.copyOfRange(chars, i + 1, j)).replace("\\", "\\\\");
                    re.append('[').append(set.startsWith("!") ? "^" + set.substring(1) : set.startsWith("^")
                            ? "\\" + set : set).append(']');
                    i = j;
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
