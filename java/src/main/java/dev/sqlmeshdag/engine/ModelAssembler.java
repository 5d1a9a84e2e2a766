package dev.sqlmeshdag.engine;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.ProjectConfig;
import dev.sqlmeshdag.core.Property;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.lineage.Dialect;
import dev.sqlmeshdag.lineage.NameNormalizer;
import dev.sqlmeshdag.lineage.TableExtractor;
import dev.sqlmeshdag.lineage.UnsettledNames;
import dev.sqlmeshdag.render.MacroRenderer;
import dev.sqlmeshdag.render.RenderContext;
import dev.sqlmeshdag.render.StaticMacros;
import dev.sqlmeshdag.schedule.ModelSchedule;
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

    static final Set<String> KINDS = Set.of("INCREMENTAL_BY_TIME_RANGE", "INCREMENTAL_BY_UNIQUE_KEY",
            "INCREMENTAL_BY_PARTITION", "INCREMENTAL_UNMANAGED", "FULL", "SCD_TYPE_2", "SCD_TYPE_2_BY_TIME",
            "SCD_TYPE_2_BY_COLUMN", "VIEW", "EMBEDDED", "SEED", "EXTERNAL", "CUSTOM", "MANAGED");

    private final ProjectConfig config;
    private final LocalDateTime nowUtc;
    private final Map<String, StaticMacros.Macro> staticMacros;

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
        if (dialectProp.isPresent() && dev.sqlmeshdag.lineage.Dialect.of(dialect).isEmpty()) {
            problems.error(dialectProp.get().location(), "unknown dialect '" + dialect + "'; use a SQL dialect "
                    + "SQLMesh knows, such as duckdb, postgres, snowflake, bigquery or spark");
            return Optional.empty();
        }
        String defaultKind = defaultKind(src, defaults);
        RenderContext nameContext = new RenderContext(dialect, variables(), src.blueprintVariables(), null,
                config.gateway(), userMacros(), defaultKind, staticMacros);
        if (!enabled(src, defaults, new MacroRenderer(nameContext), problems)) {
            return Optional.empty();
        }
        Optional<String> name = name(src, new MacroRenderer(nameContext), problems);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        NameNormalizer names = new NameNormalizer(dialect, config.defaultCatalog());
        String fqn = names.fqn(name.get());
        String kind = kind(src, defaultKind, problems);
        Optional<ModelSchedule.Resolved> schedule = ModelSchedule.resolve(scheduleInput(src, defaults), nowUtc,
                problems);
        if (kind == null || schedule.isEmpty()) {
            return Optional.empty();
        }
        RenderContext context = new RenderContext(dialect, variables(), src.blueprintVariables(), fqn,
                config.gateway(), userMacros(), defaultKind, staticMacros);
        List<String> dependsOn = dependencies(src, kind, dialect, names, new MacroRenderer(context), fqn, problems);
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
                src.location()));
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
        if (kind == null || !KINDS.contains(kind)) {
            Location at = prop.map(Property::location).orElse(src.location());
            problems.error(at, "unknown model kind '" + (prop.isPresent() ? prop.get().value().text() : kind)
                    + "'; use one of " + String.join(", ", new TreeSet<>(KINDS)));
            return null;
        }
        return kind;
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
        } else if (src.query() != null && !src.query().isBlank() && !kind.equals("SEED")) {
            String rendered = renderer.renderQuery(src, problems);
            Location at = src.queryLocation() != null ? src.queryLocation() : src.location();
            for (String table : TableExtractor.tables(rendered, dialect, at, problems)) {
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
            String folded = Dialect.fold(Dialect.casingOf(dialect), value, false);
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
