package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.ExternalModel;
import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.ProjectException;
import dev.sqlmeshdag.core.Problems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The files SQLMesh's loader picks up besides the config: models, Python macros and external models. */
final class ProjectFiles {

    private static final Pattern DECORATOR = Pattern.compile(
            "^[ \\t]*@\\s*(?:[A-Za-z_][A-Za-z0-9_]*\\s*\\.\\s*)*macro\\b(\\s*\\()?", Pattern.MULTILINE);
    private static final Pattern DEF = Pattern.compile("\\G[\\s\\S]*?^[ \\t]*(?:async\\s+)?def\\s+([A-Za-z_][A-Za-z0-9_]*)",
            Pattern.MULTILINE);
    private static final Pattern NAME_ARG = Pattern.compile(
            "^\\s*(?:name\\s*=\\s*)?(?:'([^'\\\\]*)'|\"([^\"\\\\]*)\")");

    private ProjectFiles() {
    }

    /**
     * Every non-empty {@code .sql} and {@code .py} file under {@code models/}, at any depth (hidden folders
     * included, as SQLMesh's loader does), minus ignored ones, sorted by path. Empty files are skipped
     * because SQLMesh skips them; a non-empty {@code __init__.py} is kept because SQLMesh imports it too.
     */
    static List<Path> modelFiles(Path root, IgnorePatterns ignore, Problems problems) {
        return files(root.resolve("models"), ignore, root, problems, ".sql", ".py").stream()
                .filter(ProjectFiles::nonEmpty)
                .toList();
    }

    /** The Jinja macro files ({@code .sql}) under {@code macros/}, at any depth, minus ignored ones. */
    static List<Path> jinjaMacroFiles(Path root, IgnorePatterns ignore, Problems problems) {
        return files(root.resolve("macros"), ignore, root, problems, ".sql");
    }

    /** The Python files under {@code macros/}, at any depth, minus ignored ones (SQLMesh imports each). */
    static List<Path> macroFiles(Path root, IgnorePatterns ignore, Problems problems) {
        return files(root.resolve("macros"), ignore, root, problems, ".py");
    }

    /** Names of the functions registered with {@code @macro(...)} in {@code macros/**}/*.py, lower case. */
    static Set<String> userMacros(Path root, IgnorePatterns ignore, Problems problems) {
        Set<String> names = new TreeSet<>();
        for (Path file : files(root.resolve("macros"), ignore, root, problems, ".py")) {
            String text = read(file);
            Matcher m = DECORATOR.matcher(text);
            while (m.find()) {
                Location at = locate(root, file, text, m.start());
                Matcher def = DEF.matcher(text);
                if (!def.find(m.end())) {
                    continue;
                }
                if (m.group(1) == null) {
                    problems.warning(at, "`@macro` without parentheses does not register `" + def.group(1)
                            + "` as a SQLMesh macro; write `@macro()`");
                    continue;
                }
                Matcher custom = NAME_ARG.matcher(text.substring(m.end()));
                String name = custom.find() ? (custom.group(1) != null ? custom.group(1) : custom.group(2)) : "";
                names.add((name.isEmpty() ? def.group(1) : name).toLowerCase());
            }
        }
        return names;
    }

    /**
     * Entries of {@code external_models.yaml} (else the legacy {@code schema.yaml}) and
     * {@code external_models/**}/*.yaml that apply to {@code gateway}: those without a gateway, replaced by
     * same-named entries for this gateway. SQLMesh reads these files without templating and without
     * {@code ignore_patterns}.
     */
    static List<ExternalModel> externalModels(Path root, String gateway, Problems problems) {
        List<Path> paths = new ArrayList<>();
        if (Files.exists(root.resolve("external_models.yaml"))) {
            paths.add(root.resolve("external_models.yaml"));
        } else if (Files.exists(root.resolve("schema.yaml"))) {
            paths.add(root.resolve("schema.yaml"));
        }
        paths.addAll(files(root.resolve("external_models"), new IgnorePatterns(List.of()), root, problems,
                ".yaml"));
        Map<String, ExternalModel> byName = new LinkedHashMap<>();
        for (Path path : paths) {
            String file = relative(root, path);
            List<ExternalModel> entries = externalEntries(read(path), file, problems);
            for (ExternalModel entry : entries) {
                if (entry.gateway() == null) {
                    addUnique(byName, entry, problems);
                }
            }
            for (ExternalModel entry : entries) {
                if (gateway != null && !gateway.isEmpty() && gateway.equals(entry.gateway())) {
                    ExternalModel previous = byName.get(entry.name());
                    if (previous != null && gateway.equals(previous.gateway())) {
                        duplicate(entry, previous, problems);
                    }
                    byName.put(entry.name(), entry);
                }
            }
        }
        return List.copyOf(byName.values());
    }

    private static List<ExternalModel> externalEntries(String text, String file, Problems problems) {
        Node root = YamlReader.read(text, file, problems);
        if (root == null) {
            return List.of();
        }
        if (!(root instanceof Node.ListNode list)) {
            problems.error(root.location(), "an external models file must be a YAML list of tables"
                    + " (`- name: schema.table`), found " + ConfigSchema.describe(root));
            return List.of();
        }
        List<ExternalModel> out = new ArrayList<>();
        for (Node item : list.items()) {
            Node name = item instanceof Node.MapNode map ? map.get("name") : null;
            if (!(name instanceof Node.Scalar scalar) || scalar.value() == null) {
                problems.error(item.location(), "external model entry has no `name`; add `name: schema.table`");
                continue;
            }
            Node gw = ((Node.MapNode) item).get("gateway");
            String gatewayName = gw instanceof Node.Scalar g && g.value() != null ? g.text().toLowerCase() : null;
            out.add(new ExternalModel(scalar.text(), gatewayName, item.location()));
        }
        return out;
    }

    private static void addUnique(Map<String, ExternalModel> byName, ExternalModel entry, Problems problems) {
        ExternalModel previous = byName.get(entry.name());
        if (previous != null) {
            duplicate(entry, previous, problems);
            return;
        }
        byName.put(entry.name(), entry);
    }

    private static void duplicate(ExternalModel entry, ExternalModel previous, Problems problems) {
        problems.error(entry.location(), "duplicate external model name '" + entry.name() + "' (also at "
                + previous.location() + "); remove one of them");
    }

    /**
     * Files under {@code dir} with one of the extensions, sorted. Symlinked files are read, symlinked folders are
     * not entered (as {@link Files#walk} without FOLLOW_LINKS). A folder or entry that cannot be read is a warning
     * and is left out, like SQLMesh's glob does, instead of ending the whole walk.
     */
    private static List<Path> files(Path dir, IgnorePatterns ignore, Path root, Problems problems,
            String... extensions) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        // SQLMesh globs models/**/*.sql and reads every match: a match it cannot read fails the whole load.
        boolean models = dir.equals(root.resolve("models"));
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path p, BasicFileAttributes attrs) {
                    if (models && !p.equals(dir) && Stream.of(extensions).anyMatch(e -> p.getFileName().toString()
                            .endsWith(e)) && !ignore.ignores(root, p)) {
                        problems.error(new Location(relative(root, p), 1, 1), "this folder is named like a model file,"
                                + " so SQLMesh tries to read it as one and fails ('Is a directory'); rename it");
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
                    if (!Stream.of(extensions).anyMatch(e -> p.getFileName().toString().endsWith(e))
                            || ignore.ignores(root, p)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (Files.isRegularFile(p)) {
                        found.add(p);
                    } else if (attrs.isSymbolicLink() && !Files.exists(p) && models) {
                        problems.error(new Location(relative(root, p), 1, 1), "this link leads nowhere (its target "
                                + "is missing, or it links back to itself); SQLMesh fails to read it, so fix or remove"
                                + " the link (or add it to ignore_patterns)");
                    } else if (attrs.isSymbolicLink() && !Files.exists(p)) {
                        // Left out either way; said, so that a file that went missing has a reason.
                        problems.warning(new Location(relative(root, p), 1, 1), "this link leads nowhere (its "
                                + "target is missing, or it links back to itself); it is left out");
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path p, IOException e) {
                    problems.warning(new Location(relative(root, p), 1, 1), "cannot read this "
                            + (Files.isDirectory(p) ? "folder" : "entry") + " (" + reason(e)
                            + "); what it holds is left out, as SQLMesh does");
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            problems.warning(new Location(relative(root, dir), 1, 1), "cannot read this folder (" + reason(e)
                    + "); what it holds is left out, as SQLMesh does");
        }
        found.sort(Comparator.comparing(p -> relative(root, p)));
        return found;
    }

    private static String reason(IOException e) {
        return e instanceof AccessDeniedException ? "permission denied" : e.getClass().getSimpleName() + ": "
                + e.getMessage();
    }

    private static boolean nonEmpty(Path file) {
        try {
            return Files.size(file) > 0;
        } catch (IOException e) {
            return true; // kept, so that reading it reports the problem with its path
        }
    }

    static String read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ProjectException(new Location(file.getFileName().toString(), 1, 1), "cannot read this file ("
                    + reason(e) + "); check that it exists and is readable");
        }
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult result = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(bytes), out, true);
        String before = out.flip().toString();
        if (result.isError()) {
            // Where the first undecodable byte sits, as SQLMesh's UnicodeDecodeError would be found by a user.
            int lineStart = before.lastIndexOf('\n') + 1;
            int line = (int) before.chars().filter(c -> c == '\n').count() + 1;
            throw new ProjectException(new Location(file.getFileName().toString(), line,
                    before.codePointCount(lineStart, before.length()) + 1), "this file is not valid UTF-8 text (the "
                    + "byte here cannot be decoded); save the file as UTF-8");
        }
        return before;
    }

    static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    private static Location locate(Path root, Path file, String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return Location.of(relative(root, file), line);
    }
}
