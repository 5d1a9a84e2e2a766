package dev.sqlmeshdag.engine;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.ModelKind;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.ProjectConfig;
import dev.sqlmeshdag.core.Property;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.lineage.NameNormalizer;
import dev.sqlmeshdag.lineage.TableExtractor;
import dev.sqlmeshdag.lineage.UnsettledNames;
import dev.sqlmeshdag.render.MacroRenderer;
import dev.sqlmeshdag.render.RenderContext;
import dev.sqlmeshdag.render.StaticMacros;
import dev.sqlmeshdag.schedule.ModelSchedule;
import dev.sqlmeshdag.sql.Dialect;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns one model as written into the model SQLMesh would load: {@code model_defaults} applied, name inferred or
 * rendered, fqn normalised, query rendered and its tables found.
 */
final class ModelAssembler {

    /** SQLMesh's defaults when neither the model nor {@code model_defaults} sets a value. */
    static final String DEFAULT_CRON = "@daily";
    static final String DEFAULT_KIND = "VIEW";

    private final ProjectConfig config;
    private final LocalDateTime nowUtc;
    private final Map<String, StaticMacros.Macro> staticMacros;
    /** Every model's start and end, checked once all models are read (some need SQLMesh's date parser). */
    private final List<DateRange> dateRanges = java.util.Collections.synchronizedList(new ArrayList<>());

    /** A model's {@code start} and {@code end} as written (either may be null) and where to fix each. */
    record DateRange(PythonCheck.DateValue start, PythonCheck.DateValue end) {
    }

    ModelAssembler(ProjectConfig config, LocalDateTime nowUtc) {
        this.config = config;
        this.nowUtc = nowUtc;
        this.staticMacros = config.root() == null ? Map.of() : StaticMacros.read(config.root(), userMacros());
    }

    /** Empty when the model is disabled or has an error (recorded). */
    Optional<Model> assemble(ModelSource src, Problems problems) {
        Map<String, Object> defaults = config.modelDefaults() == null ? Map.of() : config.modelDefaults();
        String dialect = java.util.Objects.requireNonNullElse(
                firstNonBlank(text(src, "dialect"), str(defaults.get("dialect")), config.dialect()), "")
                .toLowerCase(Locale.ROOT);
        Optional<Property> dialectProp = src.property("dialect");
        if (dialectProp.isPresent() && dev.sqlmeshdag.sql.Dialect.of(dialect).isEmpty()) {
            problems.error(dialectProp.get().location(), "unknown dialect '" + dialect + "'; use a SQL dialect "
                    + "SQLMesh knows, such as duckdb, postgres, snowflake, bigquery or spark");
            return Optional.empty();
        }
        String defaultKind = defaultKind(src, defaults);
        // a model's own gateway: SQLMesh loads it with that gateway's default catalog and variables
        String gatewayName = modelGateway(src, defaults);
        ProjectConfig.GatewayScope scope = gatewayScope(src, gatewayName, problems);
        // @gateway is the gateway the model is loaded for
        String gateway = scope != null ? gatewayName.strip().toLowerCase(Locale.ROOT) : config.gateway();
        Map<String, Object> variables = scope != null ? scope.variables() : variables();
        String catalog = scope != null ? scope.defaultCatalog() : config.defaultCatalog();
        RenderContext nameContext = new RenderContext(dialect, variables, src.blueprintVariables(), null,
                gateway, userMacros(), defaultKind, staticMacros);
        if (!enabled(src, defaults, new MacroRenderer(nameContext), problems)) {
            return Optional.empty();
        }
        Optional<String> name = name(src, new MacroRenderer(nameContext), problems);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        NameNormalizer names = new NameNormalizer(dialect, catalog);
        String fqn = names.fqn(name.get());
        if (quotedParts(fqn) > 3) {
            // SQLMesh's schema holds catalog.schema.table; a deeper name fails its load ("nesting level: 3").
            problems.error(src.property("name").map(Property::location).orElse(src.location()), "model name '"
                    + name.get() + "' has more than three parts; use catalog.schema.table at most");
            return Optional.empty();
        }
        String kind = kind(src, defaultKind, problems);
        Optional<ModelSchedule.Resolved> schedule = ModelSchedule.resolve(scheduleInput(src, defaults), nowUtc,
                problems);
        if (kind == null || schedule.isEmpty()) {
            return Optional.empty();
        }
        dateRanges.add(new DateRange(dateValue(src, "start", defaults), dateValue(src, "end", defaults)));
        warnUndefinedAudits(src, defaults, problems);
        RenderContext context = new RenderContext(dialect, variables, src.blueprintVariables(), fqn,
                gateway, userMacros(), defaultKind, staticMacros);
        List<String> dependsOn = dependencies(src, kind, dialect, names, new MacroRenderer(context), fqn, problems);
        ModelDocs docs = new ModelDocs(dialect);
        java.util.Map<String, String> columns = docs.columns(src);
        return Optional.of(new Model(fqn, name.get(), kind, schedule.get().cron(), schedule.get().cronTz(),
                schedule.get().intervalUnit().value(),
                firstNonBlank(text(src, "start"), str(defaults.get("start"))),
                strings(src.value("tags").orElse(null)),
                firstNonBlank(text(src, "owner"), str(defaults.get("owner"))),
                text(src, "description"),
                dependsOn,
                audits(src, defaults),
                dialect,
                src.python(),
                src.location(),
                docs.grains(src),
                columns,
                docs.columnDescriptions(src, columns)));
    }

    /**
     * The gateway SQLMesh loads the model for: its {@code gateway} property (unless SQLMesh skips it, see
     * {@link #followsBlueprints}), else {@code model_defaults.gateway}; null for the chosen gateway.
     */
    private static String modelGateway(ModelSource src, Map<String, Object> defaults) {
        String gateway = src.python() || !followsBlueprints(src, "gateway") ? text(src, "gateway") : null;
        return gateway == null || gateway.isBlank() ? str(defaults.get("gateway")) : gateway;
    }

    /** The catalog and variables of {@code gateway}, or null when it is the chosen gateway (or none). */
    private ProjectConfig.GatewayScope gatewayScope(ModelSource src, String gateway, Problems problems) {
        if (gateway == null || gateway.isBlank() || config.otherGateways() == null) {
            return null;
        }
        ProjectConfig.GatewayScope scope = config.otherGateways().get(gateway.strip().toLowerCase(Locale.ROOT));
        if (scope != null && !scope.catalogKnown()) {
            problems.warning(src.property("gateway").map(Property::location).orElse(src.location()),
                    "the connection of gateway '" + gateway.strip() + "' does not name its catalog, so SQLMesh asks "
                            + "the warehouse for it; this model's names resolve to the chosen gateway's catalog here");
            return new ProjectConfig.GatewayScope(config.defaultCatalog(), false, scope.variables());
        }
        return scope;
    }

    /**
     * SQLMesh 0.236.4 removes {@code blueprints} from a MODEL block while it iterates the block looking for
     * {@code gateway}, which skips the property right after {@code blueprints}: a gateway written there does not
     * give the model its catalog and variables.
     */
    private static boolean followsBlueprints(ModelSource src, String key) {
        String previous = null;
        for (String k : src.properties().keySet()) {
            if (k.equals(key)) {
                return "blueprints".equals(previous);
            }
            previous = k;
        }
        return false;
    }

    /** The parts of a quoted fqn ({@code "a"."b"."c"}), dots inside quotes not counted. */
    static int quotedParts(String fqn) {
        int parts = 1;
        boolean quoted = false;
        for (int i = 0; i < fqn.length(); i++) {
            char c = fqn.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                parts++;
            }
        }
        return parts;
    }

    List<DateRange> dateRanges() {
        return List.copyOf(dateRanges);
    }

    private static PythonCheck.DateValue dateValue(ModelSource src, String field, Map<String, Object> defaults) {
        Optional<Property> prop = src.property(field);
        String value = firstNonBlank(text(src, field), str(defaults.get(field)));
        if (value == null) {
            return null;
        }
        return new PythonCheck.DateValue(value.strip(), prop.isPresent() ? field : "model_defaults." + field,
                prop.map(Property::location).orElse(src.location()));
    }

    private Map<String, Object> variables() {
        return config.variables() == null ? Map.of() : config.variables();
    }

    private Set<String> userMacros() {
        return config.userMacros() == null ? Set.of() : config.userMacros();
    }

    /** Values SQLMesh reads as true; any other rendered value disables the model. */
    private static final Set<String> TRUE_WORDS = Set.of("true", "1", "t", "y", "yes", "on");

    /**
     * {@code enabled} as SQLMesh decides it: macros and variables rendered first ({@code enabled @with_beta}), then
     * only a true-like word keeps the model. A value the engine cannot render keeps the model, with a warning.
     */
    private static boolean enabled(ModelSource src, Map<String, Object> defaults, MacroRenderer renderer,
            Problems problems) {
        Optional<Property> prop = src.property("enabled");
        String written = prop.map(p -> scalar(p.value())).orElse(str(defaults.get("enabled")));
        if (written == null || written.isBlank()) {
            return true;
        }
        Location at = prop.map(Property::location).orElse(src.location());
        String value = prop.isPresent() ? renderer.renderText(written, at, problems) : written;
        if (value == null || value.contains("@")) {
            problems.unresolvedModel(at, "cannot evaluate 'enabled " + written + "' without running Python; the model is "
                    + "kept; write true, false or a project variable");
            return true;
        }
        return TRUE_WORDS.contains(unquote(value.strip()).toLowerCase(Locale.ROOT));
    }

    private static String unquote(String text) {
        boolean quoted = text.length() >= 2 && (text.charAt(0) == '\'' || text.charAt(0) == '"')
                && text.charAt(text.length() - 1) == text.charAt(0);
        return quoted ? text.substring(1, text.length() - 1) : text;
    }

    /** The {@code name} property with blueprint variables rendered, else the name inferred from the path. */
    private Optional<String> name(ModelSource src, MacroRenderer renderer, Problems problems) {
        Optional<Property> prop = src.property("name");
        if (prop.isPresent()) {
            String written = scalar(prop.get().value());
            String rendered = written.contains("@") ? renderer.renderText(written, prop.get().location(), problems)
                    : written;
            if (rendered != null && !rendered.isBlank()) {
                return Optional.of(rendered.trim());
            }
        }
        if (config.inferNames()) {
            Optional<String> inferred = inferName(config.root(), src.file());
            if (inferred.isPresent()) {
                return inferred;
            }
        }
        problems.error(src.location(), "the model has no name; add a 'name' property to its MODEL block"
                + (config.inferNames() ? "" : " (or set model_naming.infer_names: true in the config to name "
                + "models after their path under models/)"));
        return Optional.empty();
    }

    /**
     * SQLMesh's rule: the folders after the first {@code models} folder of the path, then the file stem, keeping
     * the last three parts ({@code models/sch/tbl.sql} is {@code sch.tbl}, {@code models/cat/sch/tbl.sql} is
     * {@code cat.sch.tbl}).
     */
    static Optional<String> inferName(Path root, String relativeFile) {
        Path abs = root.toAbsolutePath().resolve(relativeFile);
        List<String> parts = new ArrayList<>();
        abs.forEach(p -> parts.add(p.toString()));
        int models = parts.indexOf("models");
        if (models < 0 || models >= parts.size() - 1) {
            return Optional.empty();
        }
        List<String> named = new ArrayList<>(parts.subList(models + 1, parts.size() - 1));
        String fileName = parts.get(parts.size() - 1);
        int dot = fileName.lastIndexOf('.');
        named.add(dot > 0 ? fileName.substring(0, dot) : fileName);
        return Optional.of(String.join(".", named.subList(Math.max(0, named.size() - 3), named.size())));
    }

    /**
     * {@code model_defaults.kind} reaches Python models only: SQLMesh 0.236.4 hands every SQL model its own kind or
     * VIEW explicitly, so the default never applies to them (and their macros render as for a VIEW).
     */
    static String defaultKind(ModelSource src, Map<String, Object> defaults) {
        return src.python() ? kindName(defaults.get("kind")) : null;
    }

    private static String kind(ModelSource src, String defaultKind, Problems problems) {
        Optional<Property> prop = src.property("kind");
        // SQLMesh's Python models default to FULL (a Python function cannot be a view); SQL models to VIEW.
        String fallback = src.python() ? "FULL" : DEFAULT_KIND;
        String kind = prop.map(p -> kindName(p.value())).orElse(defaultKind == null ? fallback : defaultKind);
        if (ModelKind.named(kind).isEmpty()) {
            Location at = prop.map(Property::location).orElse(src.location());
            problems.error(at, "unknown model kind '" + (prop.isPresent() ? prop.get().value().text() : kind)
                    + "'; use one of " + String.join(", ", ModelKind.names()));
            return null;
        }
        if (prop.isPresent() && !src.python() && !checkKindFields(kind, prop.get(), problems)) {
            return null;
        }
        return kind;
    }

    /** SQLMesh's validate_extra_and_required_fields for a kind written in a MODEL block; false after an error. */
    private static boolean checkKindFields(String kind, Property prop, Problems problems) {
        ModelKind known = ModelKind.named(kind).orElseThrow();
        if (known.fields().isEmpty()) {
            return true;
        }
        Set<String> allowed = known.fields().get();
        Set<String> given = new TreeSet<>();
        if (prop.value() instanceof PropertyValue.Call call) {
            call.args().keySet().forEach(k -> given.add(k.toLowerCase(Locale.ROOT)));
        }
        Set<String> missing = new TreeSet<>(known.requiredFields());
        missing.removeAll(given);
        if (!missing.isEmpty() && !known.takesArguments()) {
            problems.error(prop.location(), "kind " + kind + " needs " + quoted(missing) + ", which a MODEL block "
                    + "cannot give (SQLMesh refuses the model); define it in a Python model or choose another kind");
            return false;
        }
        if (!missing.isEmpty()) {
            problems.error(prop.location(), "kind " + kind + " needs " + quoted(missing) + "; add "
                    + (missing.size() > 1 ? "them" : "it") + " in the MODEL block, e.g. kind " + kind + " ("
                    + missing.iterator().next() + " ...) (SQLMesh refuses the model without "
                    + (missing.size() > 1 ? "them" : "it") + ")");
            return false;
        }
        Set<String> extra = new TreeSet<>(given);
        extra.removeAll(allowed);
        if (!extra.isEmpty()) {
            problems.error(prop.location(), "kind " + kind + " has no field " + quoted(extra) + " (SQLMesh refuses "
                    + "the model); " + (allowed.isEmpty() ? "it takes no fields" : "its fields are "
                    + String.join(", ", new TreeSet<>(allowed))));
            return false;
        }
        return true;
    }

    private static String quoted(Set<String> names) {
        return "'" + String.join("', '", names) + "'";
    }

    /** The kind's name from a property ({@code FULL}, {@code INCREMENTAL_BY_TIME_RANGE(...)}) or a default. */
    static String kindName(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof PropertyValue.Call call) {
            return call.name().toUpperCase(Locale.ROOT);
        }
        if (value instanceof PropertyValue pv) {
            return scalar(pv).toUpperCase(Locale.ROOT);
        }
        if (value instanceof Map<?, ?> map) {
            return kindName(map.get("name"));
        }
        String text = value.toString().trim();
        int paren = text.indexOf('(');
        return (paren > 0 ? text.substring(0, paren) : text).trim().toUpperCase(Locale.ROOT);
    }

    private static ModelSchedule.Input scheduleInput(ModelSource src, Map<String, Object> defaults) {
        return new ModelSchedule.Input(
                firstNonBlank(text(src, "cron"), str(defaults.get("cron")), DEFAULT_CRON),
                src.property("cron").map(Property::location).orElse(null),
                firstNonBlank(text(src, "cron_tz"), str(defaults.get("cron_tz"))),
                src.property("cron_tz").map(Property::location).orElse(null),
                firstNonBlank(text(src, "interval_unit"), str(defaults.get("interval_unit"))),
                src.property("interval_unit").map(Property::location).orElse(null),
                "true".equalsIgnoreCase(firstNonBlank(text(src, "allow_partials"),
                        str(defaults.get("allow_partials")), "false").trim()),
                src.location());
    }

    /**
     * What the query reads, plus {@code depends_on}, each normalised; the model itself removed (an incremental
     * model may read its own table), sorted.
     */
    private List<String> dependencies(ModelSource src, String kind, String dialect, NameNormalizer names,
            MacroRenderer renderer, String fqn, Problems problems) {
        Set<String> deps = new TreeSet<>();
        Location dependsAt = src.property("depends_on").map(Property::location).orElse(src.location());
        for (String table : strings(src.value("depends_on").orElse(null))) {
            String dep = src.python() ? pythonDependency(table, dialect, renderer, dependsAt, problems)
                    : table;
            if (settled(dep, dialect, dependsAt, problems)) {
                deps.add(names.fqn(dep));
            }
        }
        if (src.python()) {
            for (String table : src.dependencies() == null ? List.<String>of() : src.dependencies()) {
                String dep = pythonDependency(table, dialect, renderer, dependsAt, problems);
                if (settled(dep, dialect, dependsAt, problems)) {
                    deps.add(names.fqn(dep));
                }
            }
        }
        // a SQL model's query, or the string literal an is_sql Python model returns (SQLMesh renders both alike)
        if (src.query() != null && !src.query().isBlank() && !kind.equals("SEED")) {
            String rendered = renderer.renderQuery(src, problems);
            Location at = src.queryLocation() != null ? src.queryLocation() : src.location();
            boolean substituted = MacroRenderer.substitutesMacros(src.query(), dialect);
            for (String table : TableExtractor.tables(rendered, dialect, at, problems, substituted)) {
                if (settled(table, dialect, at, problems)) {
                    deps.add(names.fqn(table));
                }
            }
        }
        deps.remove(fqn);
        return List.copyOf(deps);
    }

    /**
     * Whether a dependency may be emitted. Every dependency passes here, so a half-rendered name can never reach the
     * graph however it was produced: one holding the engine's marker was warned about where its value was missing;
     * any other unsettled name (see {@link UnsettledNames#reason}) is warned about here.
     */
    private static boolean settled(String table, String dialect, Location at, Problems problems) {
        if (UnsettledNames.marked(table)) {
            return false;
        }
        Optional<String> why = UnsettledNames.reason(table, Dialect.of(dialect).orElse(Dialect.GENERIC));
        why.ifPresent(message -> problems.warning(at, message));
        return why.isEmpty();
    }

    /** A Python {@code depends_on} entry that is exactly one reference: {@code "@src"} or {@code "@{src}"}. */
    private static final java.util.regex.Pattern WHOLE_REFERENCE =
            java.util.regex.Pattern.compile("@(?:\\{\\s*\\w+\\s*}|\\w+)");

    /**
     * A Python model's dependency with blueprint variables and project variables substituted. SQLMesh renders an
     * entry that is one whole reference into a single identifier, dots included ({@code "@src"} with
     * {@code src = ref.prices} is the one-part name {@code "ref.prices"}), while a reference inside a longer name
     * ({@code raw.@{shop}_stock}) is substituted into the text before the name is split. Returns the name as
     * written for the normalizer; one that could not be rendered keeps its {@code @}, which the caller refuses.
     */
    private static String pythonDependency(String table, String dialect, MacroRenderer renderer, Location at,
            Problems problems) {
        if (table.indexOf('@') < 0) {
            return table;
        }
        String rendered = renderer.renderText(table.strip(), at, problems);
        if (rendered == null || rendered.contains("@")) {
            return table;
        }
        if (WHOLE_REFERENCE.matcher(table.strip()).matches()) {
            String value = unquote(rendered.strip());
            Dialect d = Dialect.of(dialect).orElse(Dialect.GENERIC);
            if (d == Dialect.SNOWFLAKE && !table.strip().startsWith("@{")) {
                // Snowflake parses a lone @name where a table goes as a staged-file path; SQLMesh fills it with the
                // value as a string literal ('raw.t'), which names no table
                problems.warning(at, "depends_on entry " + table.strip() + ": in Snowflake SQLMesh reads a lone "
                        + "@variable here as a stage path and lists its value as a string literal, which names no "
                        + "table, so it is left out of lineage. List the table's own name in depends_on");
                return UnsettledNames.MARKER;
            }
            if (d == Dialect.BIGQUERY) {
                // the value becomes one quoted identifier, and BigQuery splits a quoted path at its dots
                return '`' + value.replace("`", "\\`") + '`';
            }
            // one quoted identifier, dots included: it keeps its case unless the dialect folds quoted names too
            String folded = Dialect.casingOf(dialect).fold(value, true);
            return '"' + folded.replace("\"", "\"\"") + '"';
        }
        return rendered.strip();
    }

    /** Audit names: {@code model_defaults.audits} first, then the model's own, as SQLMesh merges them. */
    private static List<String> audits(ModelSource src, Map<String, Object> defaults) {
        List<String> out = new ArrayList<>();
        if (defaults.get("audits") instanceof List<?> list) {
            list.forEach(a -> out.add(callName(String.valueOf(a))));
        }
        PropertyValue value = src.value("audits").orElse(null);
        List<PropertyValue> items = value instanceof PropertyValue.ListValue l ? l.items()
                : value == null ? List.of() : List.of(value);
        for (PropertyValue item : items) {
            out.add(item instanceof PropertyValue.Call c ? c.name() : callName(scalar(item)));
        }
        return out;
    }

    /** SQLMesh 0.236.4's built-in audits ({@code BUILT_IN_AUDITS}), each also as {@code <name>_non_blocking}. */
    static final Set<String> BUILT_IN_AUDITS = Set.of("accepted_range", "accepted_values", "at_least_one",
            "chi_square", "forall", "kl_divergence", "match_like_pattern_list", "match_regex_pattern_list",
            "mean_in_range", "mutually_exclusive_ranges", "not_accepted_values", "not_constant", "not_empty_string",
            "not_match_like_pattern_list", "not_match_regex_pattern_list", "not_null", "not_null_proportion",
            "number_of_rows", "sequential_values", "stddev_in_range", "string_length_between", "string_length_equal",
            "unique_combination_of_columns", "unique_values", "valid_email", "valid_http_method", "valid_url",
            "valid_uuid", "z_score");
    private static final java.util.regex.Pattern AUDIT_NAME = java.util.regex.Pattern.compile(
            "\\bAUDIT\\s*\\(\\s*name\\s+[\"'`]?([A-Za-z0-9_.]+)", java.util.regex.Pattern.CASE_INSENSITIVE);
    private Set<String> projectAudits;

    /**
     * SQLMesh refuses a model that names an audit it does not know ("Audit 'x' is undefined"). A warning, not an
     * error: the engine finds audit definitions by their {@code AUDIT (name ...)} header in {@code audits/} and in
     * model files, and one written another way would be missed.
     */
    private void warnUndefinedAudits(ModelSource src, Map<String, Object> defaults, Problems problems) {
        List<String> used = audits(src, defaults);
        if (used.isEmpty()) {
            return;
        }
        Set<String> known = projectAudits();
        for (String name : used) {
            String lower = name.toLowerCase(Locale.ROOT);
            String base = lower.endsWith("_non_blocking") ? lower.substring(0, lower.length() - 13) : lower;
            if (!BUILT_IN_AUDITS.contains(base) && !known.contains(lower) && !name.contains("@")) {
                problems.warning(src.property("audits").map(Property::location).orElse(src.location()), "audit '"
                        + name + "' is neither a SQLMesh built-in audit nor defined by an AUDIT (name " + name
                        + ") block under audits/ or in a model file, so SQLMesh will fail to load this model "
                        + "(\"Audit '" + name + "' is undefined\") unless it is defined");
            }
        }
    }

    private synchronized Set<String> projectAudits() {
        if (projectAudits == null) {
            Set<String> names = new java.util.HashSet<>();
            if (config.root() != null) {
                for (String folder : List.of("audits", "models")) {
                    Path dir = config.root().resolve(folder);
                    if (!java.nio.file.Files.isDirectory(dir)) {
                        continue;
                    }
                    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
                        files.filter(f -> f.toString().endsWith(".sql") && java.nio.file.Files.isRegularFile(f))
                                .forEach(f -> {
                                    try {
                                        java.util.regex.Matcher m = AUDIT_NAME.matcher(java.nio.file.Files.readString(f));
                                        while (m.find()) {
                                            names.add(m.group(1).toLowerCase(Locale.ROOT));
                                        }
                                    } catch (java.io.IOException | java.io.UncheckedIOException e) {
                                        // unreadable or not UTF-8: reported where the file is read as a model
                                    }
                                });
                    } catch (java.io.IOException | java.io.UncheckedIOException e) {
                        // a folder that cannot be walked: reported by the project walk
                    }
                }
            }
            projectAudits = names;
        }
        return projectAudits;
    }

    private static String callName(String text) {
        int paren = text.indexOf('(');
        return (paren > 0 ? text.substring(0, paren) : text).trim();
    }

    /** A list property's items as strings ({@code [a, 'b']}), or a lone value as a one-item list. */
    static List<String> strings(PropertyValue value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof PropertyValue.ListValue list) {
            return list.items().stream().map(ModelAssembler::scalar).toList();
        }
        return List.of(scalar(value));
    }

    /** A scalar's content without quotes; anything else as written. */
    static String scalar(PropertyValue value) {
        return value instanceof PropertyValue.Scalar s ? s.value() : value.text();
    }

    private static String text(ModelSource src, String key) {
        return src.value(key).map(ModelAssembler::scalar).orElse(null);
    }

    private static String str(Object value) {
        return value == null ? null : value.toString();
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
