package dev.sqlmeshdag.engine;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problem;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.ProjectConfig;
import dev.sqlmeshdag.core.ProjectException;
import dev.sqlmeshdag.graph.ModelGraph;
import dev.sqlmeshdag.graph.Selector;
import dev.sqlmeshdag.lineage.NameNormalizer;
import dev.sqlmeshdag.parse.PythonModelParser;
import dev.sqlmeshdag.parse.SqlModelParser;
import dev.sqlmeshdag.project.ProjectLoader;
import dev.sqlmeshdag.schedule.DagSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reads a SQLMesh project into models, their graph and the DAG schedule. */
public final class Engine {

    public static final String VERSION = "0.1.0";

    private Engine() {
    }

    /** Never throws for a problem in the project: those are in {@link LoadedProject#problems()}. */
    public static LoadedProject load(Path root, Options opts) {
        Path projectRoot = root.toAbsolutePath().normalize();
        Problems problems = new Problems();
        if (!Files.isDirectory(projectRoot)) {
            problems.error(new Location(root.toString(), 1, 1), "no project folder here; pass the folder that "
                    + "holds the SQLMesh project's config.yaml");
            return empty(null, problems, "");
        }
        ProjectConfig config;
        try {
            config = ProjectLoader.load(projectRoot, opts.gateway(), opts.defaultCatalog(), opts.answers().config(),
                    problems);
        } catch (ProjectException e) {
            // The loader records each problem before it throws; adding them again printed every one twice.
            List<Problem> known = problems.all();
            e.problems().stream().filter(p -> !known.contains(p)).forEach(problems::add);
            return empty(null, problems, "");
        }
        if (config == null) {
            return empty(null, problems, "");
        }
        Fingerprint fingerprint = new Fingerprint();
        LocalDateTime nowUtc = LocalDateTime.ofInstant(opts.nowOrCurrent(), ZoneOffset.UTC);
        ModelAssembler assembler = new ModelAssembler(config, nowUtc);
        List<Model> models = readModels(config, assembler, fingerprint, opts.answers(), problems);
        checkJinjaMacros(config, problems);
        DateChecks.check(projectRoot, pythonFiles(config), assembler.dateRanges(), problems);
        List<Model> unique = dropDuplicates(models, problems);
        ModelGraph graph = ModelGraph.build(unique, problems);
        List<String> selected = select(graph, config, opts, problems);
        Map<String, String> taskIds = TaskIds.assign(selected.stream().map(graph::model).toList(),
                config.defaultCatalog());
        List<String> kept = opts.filters().apply(selected, graph, taskIds, problems);
        DagSchedule schedule = DagSchedule.of(kept.stream().map(graph::model).toList(), nowUtc);
        fingerprint.addProjectFiles(config);
        return new LoadedProject(config, graph, kept, taskIds, schedule, problems, fingerprint.hex(opts));
    }

    private static LoadedProject empty(ProjectConfig config, Problems problems, String fingerprint) {
        return new LoadedProject(config, ModelGraph.build(List.of(), problems), List.of(),
                DagSchedule.of(List.of(), LocalDateTime.now(ZoneOffset.UTC)), problems, fingerprint);
    }

    /** Every model file, read and parsed in parallel; order restored afterwards by file. */
    private static List<Model> readModels(ProjectConfig config, ModelAssembler assembler, Fingerprint fingerprint,
            Answers answers, Problems problems) {
        Path root = config.root().toAbsolutePath().normalize();
        Map<String, List<Model>> byFile = new TreeMap<>();
        List<Path> files = config.modelFiles() == null ? List.of() : config.modelFiles();
        files.parallelStream().forEach(path -> {
            Path abs = root.resolve(path);
            String relative = SourceFiles.relative(root, abs);
            List<Model> answered = answers.models().get(relative);
            List<Model> fromFile = answered == null
                    ? readModelFile(abs, relative, config, assembler, fingerprint, problems)
                    : withEngineLines(answered, readModelFile(abs, relative, config, assembler, fingerprint,
                            new Problems()));
            synchronized (byFile) {
                byFile.put(relative, fromFile);
            }
        });
        List<Model> all = new ArrayList<>();
        byFile.values().forEach(all::addAll);
        return all;
    }

    private static List<Model> readModelFile(Path abs, String relative, ProjectConfig config,
            ModelAssembler assembler, Fingerprint fingerprint, Problems problems) {
        Optional<SourceFiles.Read> read = SourceFiles.read(abs, relative, problems);
        if (read.isEmpty()) {
            return List.of();
        }
        fingerprint.add(relative, read.get().bytes());
        byte[] bytes = read.get().bytes();
        if (relative.endsWith(".sql") && bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB
                && bytes[2] == (byte) 0xBF) {
            // Python reads .py files past a BOM, and YAML skips it, but SQLMesh hands a .sql file's text to sqlglot
            // as is: the BOM becomes part of the first word and the MODEL block is not found.
            problems.error(new Location(relative, 1, 1), "the file starts with a UTF-8 byte order mark (BOM), which "
                    + "SQLMesh cannot parse (it reads it as part of the first word); save the file as UTF-8 without BOM");
            return List.of();
        }
        try {
            List<ModelSource> sources = relative.endsWith(".py")
                    ? PythonModelParser.parse(relative, read.get().text(),
                            config.variables() == null ? Map.of() : config.variables(), problems)
                    : SqlModelParser.parse(relative, read.get().text(), config.dialect(), problems);
            List<Model> out = new ArrayList<>();
            for (ModelSource src : sources) {
                assembler.assemble(src, problems).ifPresent(out::add);
            }
            return out;
        } catch (ProjectException e) {
            e.problems().forEach(problems::add);
            return List.of();
        } catch (RuntimeException e) {
            // One unreadable file must not hide the rest of the project; the message says what broke.
            problems.error(new Location(relative, 1, 1), "the engine could not read this model ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); please report this with the file");
            return List.of();
        }
    }

    /** SQLMesh parses every Jinja macro file when it loads a project; a Jinja syntax error there fails the load. */
    private static void checkJinjaMacros(ProjectConfig config, Problems problems) {
        Path root = config.root().toAbsolutePath().normalize();
        for (Path p : ProjectLoader.jinjaMacroFiles(config)) {
            Path abs = root.resolve(p);
            String relative = SourceFiles.relative(root, abs);
            SourceFiles.read(abs, relative, problems).ifPresent(read ->
                    dev.sqlmeshdag.render.JinjaRenderer.checkStructure(read.text(), Location.of(relative, 1), problems));
        }
    }

    /** The Python files SQLMesh imports: config.py, Python models and macros (ignore_patterns applied). */
    private static List<String> pythonFiles(ProjectConfig config) {
        Path root = config.root().toAbsolutePath().normalize();
        List<String> files = new ArrayList<>();
        if (config.configFile() != null && config.configFile().endsWith(".py")) {
            files.add(config.configFile());
        }
        for (Path p : config.modelFiles() == null ? List.<Path>of() : config.modelFiles()) {
            if (p.toString().endsWith(".py")) {
                files.add(SourceFiles.relative(root, root.resolve(p)));
            }
        }
        for (Path p : ProjectLoader.macroFiles(config)) {
            files.add(SourceFiles.relative(root, root.resolve(p)));
        }
        return files;
    }

    /**
     * SQLMesh's models of a file whose reading needed Python, placed at the lines where the engine found them (the
     * engine's own reading of the file, and its warnings about what it could not settle, are set aside).
     */
    private static List<Model> withEngineLines(List<Model> answered, List<Model> read) {
        Map<String, Model> byFqn = new LinkedHashMap<>();
        read.forEach(m -> byFqn.putIfAbsent(m.fqn(), m));
        List<Model> out = new ArrayList<>();
        for (Model m : answered) {
            Model engine = byFqn.get(m.fqn());
            out.add(engine == null ? m : new Model(m.fqn(), engine.name(), m.kind(), m.cron(), m.cronTz(),
                    m.intervalUnit(), m.start(), m.tags(), m.owner(), m.description(), m.dependsOn(), m.audits(),
                    m.dialect(), engine.python(), engine.location(), m.grains(), m.columns(),
                    m.columnDescriptions()));
        }
        return out;
    }

    /** SQLMesh refuses two models with one fqn; both files are named so the user can pick one. */
    private static List<Model> dropDuplicates(List<Model> models, Problems problems) {
        Map<String, Model> first = new LinkedHashMap<>();
        for (Model m : models) {
            Model previous = first.putIfAbsent(m.fqn(), m);
            if (previous != null) {
                problems.error(m.location(), "duplicate model name " + m.fqn() + ": also defined at "
                        + previous.location() + "; rename one of the two models (" + previous.location().file()
                        + ", " + m.location().file() + ")");
            }
        }
        return List.copyOf(first.values());
    }

    /** Select expressions OR-ed, then exclude expressions removed; all models when nothing is selected. */
    private static List<String> select(ModelGraph graph, ProjectConfig config, Options opts, Problems problems) {
        if (graph.hasCycle()) {
            return List.of();
        }
        NameNormalizer names = new NameNormalizer(config.dialect(), config.defaultCatalog());
        Selector selector = new Selector(graph, names::fqn);
        Set<String> chosen = new TreeSet<>();
        if (opts.select().isEmpty()) {
            chosen.addAll(graph.models().keySet());
        }
        for (String expression : opts.select()) {
            chosen.addAll(evaluate(selector, expression, "--select", problems));
        }
        for (String expression : opts.exclude()) {
            chosen.removeAll(evaluate(selector, expression, "--exclude", problems));
        }
        return graph.orderOf(chosen);
    }

    private static Set<String> evaluate(Selector selector, String expression, String option, Problems problems) {
        Location where = new Location(option, 1, 1);
        try {
            Set<String> found = selector.select(expression);
            if (found.isEmpty()) {
                problems.warning(where, "'" + expression + "' matches no model; check the name (selectors use "
                        + "model names such as sushi.orders, wildcards like sushi.*, or tag:NAME)");
            }
            return found;
        } catch (Selector.SyntaxException e) {
            problems.error(where, e.getMessage());
            return Set.of();
        }
    }
}
