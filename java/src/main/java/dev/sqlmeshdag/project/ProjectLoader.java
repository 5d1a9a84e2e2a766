package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.ExternalModel;
import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.ProjectConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a project's configuration the way SQLMesh 0.236 does: one config file per folder
 * ({@code config.py}, {@code config.yml}, {@code config.yaml}, {@code sqlmesh.yml} or {@code sqlmesh.yaml};
 * two in the same folder is an error), the personal config in {@code $SQLMESH_HOME} (else {@code ~/.sqlmesh})
 * merged over it, then {@code SQLMESH__SECTION__KEY} environment variables; {@code .env} in the project is
 * loaded first.
 */
public final class ProjectLoader {

    static final List<String> CONFIG_FILES = List.of("config.py", "config.yml", "config.yaml", "sqlmesh.yml",
            "sqlmesh.yaml");
    private static final List<String> DEFAULT_IGNORE_PATTERNS = List.of(".ipynb_checkpoints/*");
    private static final Set<String> TRUE_WORDS = Set.of("true", "1", "yes", "y", "on", "t");
    private static final Set<String> FALSE_WORDS = Set.of("false", "0", "no", "n", "off", "f");

    private final Path root;
    private final Environment baseEnvironment;
    private final Problems problems;

    private ProjectLoader(Path root, Environment environment, Problems problems) {
        this.root = root;
        this.baseEnvironment = environment;
        this.problems = problems;
    }

    /**
     * @param root    the project folder
     * @param gateway the gateway to use, or null for SQLMesh's default gateway rule
     * @param problems where every problem found is recorded (with file and line)
     */
    public static ProjectConfig load(Path root, String gateway, Problems problems) {
        return load(root, gateway, null, problems);
    }

    /** @param defaultCatalog the catalog to use instead of the one the gateway's connection implies, or null */
    public static ProjectConfig load(Path root, String gateway, String defaultCatalog, Problems problems) {
        return load(root, gateway, defaultCatalog, null, problems);
    }

    /**
     * @param resolvedConfig the configuration as SQLMesh's own loader produced it (in the shape of config.yaml, the
     *                       personal config and {@code SQLMESH__} variables merged), used instead of reading the
     *                       config file; null to read it
     */
    public static ProjectConfig load(Path root, String gateway, String defaultCatalog,
            Map<String, Object> resolvedConfig, Problems problems) {
        Path absolute = root.toAbsolutePath().normalize();
        if (resolvedConfig == null || !Files.isDirectory(absolute)) {
            return load(root, gateway, defaultCatalog, problems, Environment.system());
        }
        ProjectLoader loader = new ProjectLoader(absolute, Environment.system(), problems);
        Path configPath = loader.single(absolute, CONFIG_FILES, true);
        problems.throwIfErrors();
        Node.MapNode config = (Node.MapNode) Node.fromPlain(resolvedConfig,
                new Location(loader.relative(configPath), 1, 1));
        ConfigSchema.checkRoot(config, problems);
        ProjectConfig result = loader.resolve(config, configPath, gateway, defaultCatalog);
        problems.throwIfErrors();
        return result;
    }

    static ProjectConfig load(Path root, String gateway, Problems problems, Environment environment) {
        return load(root, gateway, null, problems, environment);
    }

    static ProjectConfig load(Path root, String gateway, String defaultCatalog, Problems problems,
            Environment environment) {
        Path absolute = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            problems.error(new Location(root.toString(), 1, 1), "project folder does not exist; pass the folder"
                    + " that holds config.yaml and models/");
            problems.throwIfErrors();
        }
        return new ProjectLoader(absolute, environment, problems).load(gateway, defaultCatalog);
    }

    /** The Jinja macro files ({@code macros/**}/*.sql) SQLMesh parses for this project (ignore_patterns applied). */
    public static List<Path> jinjaMacroFiles(ProjectConfig config) {
        IgnorePatterns ignore = new IgnorePatterns(config.ignorePatterns() == null ? List.of() : config.ignorePatterns());
        return ProjectFiles.jinjaMacroFiles(config.root(), ignore, new Problems());
    }

    /** The Python macro files SQLMesh imports for this project (its ignore_patterns applied). */
    public static List<Path> macroFiles(ProjectConfig config) {
        IgnorePatterns ignore = new IgnorePatterns(config.ignorePatterns() == null ? List.of() : config.ignorePatterns());
        // Unreadable entries were reported when the project was read; not again.
        return ProjectFiles.macroFiles(config.root(), ignore, new Problems());
    }

    private ProjectConfig load(String requestedGateway, String catalogOverride) {
        Environment env = baseEnvironment.withDotenv(root);
        Path personalFile = single(env.sqlmeshHome(), CONFIG_FILES.subList(1, CONFIG_FILES.size()), false);
        Node.MapNode personal = personalFile == null ? null : readYaml(personalFile, env);
        env = env.with(stringMap(personal == null ? null : personal.get("env_vars")));

        Path configPath = single(root, CONFIG_FILES, true);
        problems.throwIfErrors();
        Node.MapNode config = configPath.getFileName().toString().endsWith(".py")
                ? readPython(configPath, env) : readYaml(configPath, env);
        problems.throwIfErrors();
        config = merge(merge(config, personal), EnvOverrides.read(env.variables(), problems));
        ConfigSchema.checkRoot(config, problems);
        ProjectConfig result = resolve(config, configPath, requestedGateway, catalogOverride);
        problems.throwIfErrors();
        return result;
    }

    private ProjectConfig resolve(Node.MapNode config, Path configPath, String requestedGateway,
            String catalogOverride) {
        Gateways gateways = Gateways.read(config, problems);
        Node.MapNode rootDefaults = mapOrEmpty(config.get("model_defaults"));
        String rootDialect = scalarText(rootDefaults.get("dialect"), "model_defaults.dialect");
        Location configStart = new Location(relative(configPath), 1, 1);
        boolean unreadable = rootDefaults.get("dialect") instanceof Node.Opaque
                || config.get("model_defaults") instanceof Node.Opaque;
        if (config.get("model_defaults") instanceof Node.Opaque opaque) {
            readable(opaque, "model_defaults");
        }
        if ((rootDialect == null || rootDialect.isEmpty()) && !unreadable) {
            problems.error(config.get("model_defaults") != null ? config.get("model_defaults").location() : configStart,
                    "model_defaults.dialect is not set; SQLMesh requires the default SQL dialect, add"
                            + " `model_defaults:` with `dialect: duckdb` (or your engine's dialect) to the config");
        }
        if (rootDialect != null && !rootDialect.isEmpty()
                && dev.sqlmeshdag.sql.Dialect.of(rootDialect.toLowerCase()).isEmpty()) {
            // SQLMesh takes any text here and fails on the first model that uses it ("Unknown dialect").
            problems.error(rootDefaults.get("dialect").location(), "unknown dialect '" + rootDialect
                    + "' in model_defaults.dialect; use a SQL dialect SQLMesh knows, such as duckdb, postgres, "
                    + "snowflake, bigquery or spark");
        }
        String gatewayName = gateways.select(requestedGateway, scalarText(config.get("default_gateway"),
                "default_gateway"), configStart);
        problems.throwIfErrors();

        Node.MapNode gateway = gateways.get(gatewayName);
        Map<String, Object> modelDefaults = overlay(rootDefaults, gateway.get("model_defaults"));
        Connection connection = gateways.connection(gatewayName, config.get("default_connection"), configStart, problems);
        String stateType = gateways.stateConnectionType(gatewayName);
        String catalog = catalogOverride != null ? catalogOverride
                : connection == null ? null : defaultCatalog(gateways, gatewayName, connection,
                        config.get("default_connection"));
        List<String> patterns = ignorePatterns(config.get("ignore_patterns"));
        IgnorePatterns ignore = new IgnorePatterns(patterns);
        Object dialect = modelDefaults.get("dialect");
        List<Path> models = ProjectFiles.modelFiles(root, ignore, problems);
        Set<String> macros = ProjectFiles.userMacros(root, ignore, problems);
        List<ExternalModel> externals = ProjectFiles.externalModels(root, gatewayName, problems);
        return new ProjectConfig(
                root,
                relative(configPath),
                orEmpty(scalarText(config.get("project"), "project")),
                gatewayName,
                gateways.names(),
                connection == null ? null : connection.type(),
                stateType,
                dialect == null ? null : dialect.toString().toLowerCase(),
                catalog,
                modelDefaults,
                variables(config.get("variables"), gateway.get("variables")),
                bool(config.get("model_naming") instanceof Node.MapNode naming ? naming.get("infer_names") : null,
                        "model_naming.infer_names"),
                patterns,
                models,
                macros,
                externals,
                otherGateways(gateways, gatewayName, config, configStart));
    }

    /**
     * The catalog and variables of every gateway but the chosen one, for models that name it in their
     * {@code gateway} property. Problems of those connections are not the chosen gateway's, so only a model that
     * uses one hears about it.
     */
    private Map<String, ProjectConfig.GatewayScope> otherGateways(Gateways gateways, String chosen,
            Node.MapNode config, Location configStart) {
        Map<String, ProjectConfig.GatewayScope> out = new LinkedHashMap<>();
        for (String name : gateways.names()) {
            if (name.equals(chosen) || name.isEmpty()) {
                continue;
            }
            Problems ignored = new Problems();
            Connection connection = gateways.connection(name, config.get("default_connection"), configStart, ignored);
            String catalog = connection == null ? null
                    : Catalogs.of(connection.type(), connection.node(), connection.where(), ignored);
            boolean known = connection != null && !Catalogs.UNKNOWN.equals(catalog);
            // read by a loader that reports elsewhere: the root variables' problems are reported once, above
            ProjectLoader quiet = new ProjectLoader(root, baseEnvironment, ignored);
            out.put(name, new ProjectConfig.GatewayScope(known ? catalog : null, known,
                    quiet.variables(config.get("variables"), gateways.get(name).get("variables"))));
        }
        return out;
    }

    /** A connection after its type has been checked. */
    record Connection(String type, Node.MapNode node, String where) {
    }

    private String defaultCatalog(Gateways gateways, String gatewayName, Connection connection,
            Node defaultConnection) {
        String catalog = Catalogs.of(connection.type(), connection.node(), connection.where(), problems);
        if (Catalogs.UNKNOWN.equals(catalog)) {
            problems.warning(connection.node().location(), connection.where() + " (" + connection.type()
                    + ") does not set `" + Catalogs.settingFor(connection.type()) + "`, so SQLMesh asks the warehouse"
                    + " for its default catalog; set it so model names resolve to the same catalog here");
            return null;
        }
        if (catalog == null && connection.type().equals("clickhouse")
                && gateways.anyOtherHasCatalog(gatewayName, defaultConnection)) {
            // With catalog-aware gateways in the project SQLMesh gives ClickHouse a virtual catalog,
            // so every model name has the same three parts.
            String configured = Catalogs.textOf(connection.node().get("virtual_catalog"));
            return configured != null ? configured : "__" + gatewayName + "__";
        }
        return catalog;
    }

    private Node.MapNode readYaml(Path file, Environment env) {
        String label = relative(file);
        String text = Templates.render(ProjectFiles.read(file), env.variables(), label, problems);
        Node node = YamlReader.read(text, label, problems);
        if (node == null) {
            if (!problems.hasErrors()) {
                problems.error(new Location(label, 1, 1), "the config file is empty; SQLMesh needs at least"
                        + " `model_defaults:` with a `dialect`");
            }
            return new Node.MapNode(Map.of(), new Location(label, 1, 1));
        }
        if (!(node instanceof Node.MapNode map)) {
            problems.error(node.location(), "the config file must be a YAML mapping (key: value), found "
                    + ConfigSchema.describe(node));
            return new Node.MapNode(Map.of(), node.location());
        }
        return map;
    }

    private Node.MapNode readPython(Path file, Environment env) {
        Node node = PythonConfigReader.read(ProjectFiles.read(file), relative(file), env.variables(), problems);
        return node instanceof Node.MapNode map ? map : new Node.MapNode(Map.of(), new Location(relative(file), 1, 1));
    }

    /** The one config file in {@code folder}; more than one is SQLMesh's "Multiple configuration files" error. */
    private Path single(Path folder, List<String> names, boolean required) {
        List<Path> found = new ArrayList<>();
        for (String name : names) {
            if (Files.exists(folder.resolve(name))) {
                found.add(folder.resolve(name));
            }
        }
        if (found.isEmpty()) {
            if (required) {
                problems.error(new Location("config.yaml", 1, 1), "no SQLMesh config found in " + folder
                        + "; add config.yaml (or config.yml, sqlmesh.yaml, config.py) with model_defaults.dialect");
            }
            return null;
        }
        if (found.size() > 1) {
            problems.error(new Location(relative(found.get(1)), 1, 1), "multiple configuration files in "
                    + folder + " (" + String.join(", ", found.stream().map(p -> p.getFileName().toString()).toList())
                    + "); SQLMesh refuses to choose, keep only one");
            return null;
        }
        if (!Files.isRegularFile(found.get(0))) {
            problems.error(new Location(relative(found.get(0)), 1, 1), "must be a file");
            return null;
        }
        return found.get(0);
    }

    /** SQLMesh's merge of config dictionaries: nested mappings merge, anything else is replaced. */
    static Node.MapNode merge(Node.MapNode base, Node.MapNode over) {
        if (over == null) {
            return base;
        }
        Map<String, Node.Entry> entries = new LinkedHashMap<>(base.entries());
        for (Node.Entry entry : over.entries().values()) {
            Node.Entry existing = entries.get(entry.key());
            if (existing != null && existing.value() instanceof Node.MapNode a && entry.value() instanceof Node.MapNode b) {
                entries.put(entry.key(), new Node.Entry(entry.key(), existing.keyLocation(), merge(a, b)));
            } else {
                entries.put(entry.key(), entry);
            }
        }
        return new Node.MapNode(entries, base.location());
    }

    /** Root model_defaults with the gateway's keys laid over them, one level deep, as SQLMesh's Context does. */
    private Map<String, Object> overlay(Node.MapNode rootDefaults, Node gatewayDefaults) {
        Map<String, Object> out = new LinkedHashMap<>();
        rootDefaults.entries().values().forEach(e -> out.put(e.key(), readable(e.value(), "model_defaults." + e.key())));
        if (gatewayDefaults instanceof Node.MapNode map) {
            map.entries().values().forEach(e -> out.put(e.key(), readable(e.value(), "model_defaults." + e.key())));
        }
        return out;
    }

    private Map<String, Object> variables(Node rootVariables, Node gatewayVariables) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Node source : new Node[] {rootVariables, gatewayVariables}) {
            if (source == null) {
                continue;
            }
            if (!(source instanceof Node.MapNode map)) {
                problems.error(source.location(), "`variables` must be a mapping of names to values, found "
                        + ConfigSchema.describe(source));
                continue;
            }
            map.entries().values().forEach(e -> out.put(e.key().toLowerCase(),
                    readable(e.value(), "variables." + e.key())));
        }
        return out;
    }

    private List<String> ignorePatterns(Node node) {
        if (node == null) {
            return DEFAULT_IGNORE_PATTERNS;
        }
        if (!(node instanceof Node.ListNode list)) {
            if (!(node instanceof Node.Opaque)) {
                problems.error(node.location(), "`ignore_patterns` must be a list of glob patterns, found "
                        + ConfigSchema.describe(node));
            }
            readable(node, "ignore_patterns");
            return DEFAULT_IGNORE_PATTERNS;
        }
        List<String> out = new ArrayList<>();
        list.items().forEach(item -> {
            String text = scalarText(item, "ignore_patterns");
            if (text != null) {
                out.add(text);
            }
        });
        return out;
    }

    private boolean bool(Node node, String what) {
        if (node == null || (node instanceof Node.Scalar s && s.value() == null)) {
            return false;
        }
        String text = scalarText(node, what);
        if (text != null && TRUE_WORDS.contains(text.toLowerCase())) {
            return true;
        }
        if (text != null && !FALSE_WORDS.contains(text.toLowerCase())) {
            problems.error(node.location(), "`" + what + "` must be true or false, found '" + text + "'");
        }
        return false;
    }

    /** The plain value; a config.py expression that cannot be read is reported as such. */
    private Object readable(Node node, String what) {
        if (node instanceof Node.Opaque opaque) {
            problems.unresolvedConfig(opaque.location(), "cannot read " + what + " statically (" + opaque.what()
                    + "); write it as a literal in config.py (or pass --dialect)");
            return null;
        }
        return node.plain();
    }

    private String scalarText(Node node, String what) {
        if (node == null) {
            return null;
        }
        Object plain = readable(node, what);
        if (node instanceof Node.Scalar s) {
            return s.text();
        }
        if (plain != null) {
            problems.error(node.location(), "`" + what + "` must be a single value, found " + ConfigSchema.describe(node));
        }
        return null;
    }

    private static Node.MapNode mapOrEmpty(Node node) {
        return node instanceof Node.MapNode map ? map : new Node.MapNode(Map.of(), null);
    }

    private static Map<String, String> stringMap(Node node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node instanceof Node.MapNode map) {
            map.entries().values().forEach(e -> {
                if (e.value() instanceof Node.Scalar s && s.value() != null) {
                    out.put(e.key(), s.text());
                }
            });
        }
        return out;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private String relative(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(root) ? ProjectFiles.relative(root, absolute) : absolute.toString();
    }
}
