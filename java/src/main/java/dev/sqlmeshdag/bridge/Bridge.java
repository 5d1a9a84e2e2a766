package dev.sqlmeshdag.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problem;
import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.engine.Answers;
import dev.sqlmeshdag.engine.Engine;
import dev.sqlmeshdag.engine.LoadedProject;
import dev.sqlmeshdag.engine.ModelFilters;
import dev.sqlmeshdag.engine.Options;
import dev.sqlmeshdag.spec.GraphFormats;
import dev.sqlmeshdag.spec.SpecBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the Python side calls through Py4J. Every answer is one JSON string, so a whole project crosses the
 * socket in one round trip; problems come back in the document's {@code errors}, never as a Java exception.
 */
public final class Bridge {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Py4J also reaches static methods through an instance. */
    public Bridge() {
    }

    public static String version() {
        return Engine.VERSION;
    }

    /**
     * @param projectPath the project folder
     * @param optionsJson {@code {"gateway": null|"g", "select": [...], "exclude": [...], "answers": {...}}}, and
     *                    optionally {@code "default_catalog"}, {@code "model_pattern"}, {@code "include_tags"},
     *                    {@code "exclude_tags"} and {@code "models"} (see {@link ModelFilters}); null or "" for none. {@code answers} carries SQLMesh's values for what an earlier call listed as
     *                    {@code unresolved}: {@code {"config": {...}|null, "models": {"models/x.sql": [model, ...]}}},
     *                    each model with the spec's fields ({@code fqn}, {@code kind}, {@code cron}, ...,
     *                    {@code depends_on} listing every table it reads)
     */
    public static String spec(String projectPath, String optionsJson) {
        Path path = Path.of(projectPath == null ? "" : projectPath);
        Options options;
        try {
            options = options(optionsJson);
        } catch (IllegalArgumentException e) {
            return SpecBuilder.toJson(SpecBuilder.failure(path, List.of(
                    Problem.error(new Location("<options>", 1, 1), e.getMessage()))));
        }
        try {
            LoadedProject loaded = Engine.load(path, options);
            return SpecBuilder.toJson(SpecBuilder.build(loaded, path));
        } catch (RuntimeException | StackOverflowError e) {
            return SpecBuilder.toJson(SpecBuilder.failure(path, List.of(Problem.error(null,
                    "internal engine error: " + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "; please report this with the project"))));
        }
    }

    /**
     * What {@code graph PROJECT --format json} prints, for callers that read many projects in one JVM (the
     * fidelity fuzzer): {@code {"exit": 0|1|3, "graph": "<the CLI's JSON text>"|null, "problems": [...]}}, where
     * exit and problems are the CLI's exit code and the lines it prints on stderr.
     */
    public static String graph(String projectPath, String optionsJson) {
        Path path = Path.of(projectPath == null ? "" : projectPath);
        GraphAnswer answer;
        try {
            LoadedProject loaded = Engine.load(path, options(optionsJson));
            answer = new GraphAnswer(loaded.hasErrors() ? 1 : 0, loaded.hasErrors() ? null
                    : GraphFormats.render(loaded.graph(), loaded.selected(), GraphFormats.Format.JSON),
                    loaded.problems().all().stream().map(Problem::toString).toList());
        } catch (IllegalArgumentException e) {
            answer = new GraphAnswer(2, null, List.of(e.getMessage()));
        } catch (RuntimeException | StackOverflowError e) {
            answer = new GraphAnswer(3, null, List.of("internal engine error: " + e.getClass().getSimpleName()
                    + ": " + e.getMessage()));
        }
        try {
            return JSON.writeValueAsString(answer);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #graph}'s answer: the CLI's exit code, its JSON graph (null unless exit is 0) and its stderr lines. */
    record GraphAnswer(int exit, String graph, List<String> problems) {
    }

    static Options options(String optionsJson) {
        if (optionsJson == null || optionsJson.isBlank()) {
            return Options.defaults();
        }
        JsonNode node;
        try {
            node = JSON.readTree(optionsJson);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("options are not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || node.isNull()) {
            return Options.defaults();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("options must be a JSON object like "
                    + "{\"gateway\": null, \"select\": [], \"exclude\": []}");
        }
        JsonNode gateway = node.get("gateway");
        if (gateway != null && !gateway.isNull() && !gateway.isTextual()) {
            throw new IllegalArgumentException("options.gateway must be a string or null");
        }
        JsonNode catalog = node.get("default_catalog");
        if (catalog != null && !catalog.isNull() && !catalog.isTextual()) {
            throw new IllegalArgumentException("options.default_catalog must be a string or null");
        }
        return new Options(gateway == null || gateway.isNull() ? null : gateway.asText(),
                strings(node, "select"), strings(node, "exclude"), null,
                catalog == null || catalog.isNull() ? null : catalog.asText(), answers(node.get("answers")),
                filters(node));
    }

    /** {@code model_pattern}, {@code include_tags}, {@code exclude_tags}, {@code models}: each optional. */
    private static ModelFilters filters(JsonNode node) {
        JsonNode pattern = node.get("model_pattern");
        if (pattern != null && !pattern.isNull() && !pattern.isTextual()) {
            throw new IllegalArgumentException("options.model_pattern must be a string or null");
        }
        JsonNode models = node.get("models");
        return new ModelFilters(pattern == null || pattern.isNull() ? null : pattern.asText(),
                strings(node, "include_tags"), strings(node, "exclude_tags"),
                models == null || models.isNull() ? null : strings(node, "models"));
    }

    /**
     * SQLMesh's answers as the CLI's {@code --answers} file holds them: the {@code answers} object of
     * {@link #spec}'s options.
     *
     * @throws IllegalArgumentException when the text is not such an object
     */
    public static Answers answers(String json) {
        try {
            return answers(JSON.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the answers are not valid JSON: " + e.getOriginalMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Answers answers(JsonNode node) {
        if (node == null || node.isNull()) {
            return Answers.NONE;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("options.answers must be a JSON object");
        }
        JsonNode config = node.get("config");
        if (config != null && !config.isNull() && !config.isObject()) {
            throw new IllegalArgumentException("options.answers.config must be a JSON object or null");
        }
        Map<String, List<Model>> models = new LinkedHashMap<>();
        JsonNode files = node.get("models");
        if (files != null && !files.isNull()) {
            if (!files.isObject()) {
                throw new IllegalArgumentException("options.answers.models must map model files to lists of models");
            }
            files.fields().forEachRemaining(file -> {
                if (!file.getValue().isArray()) {
                    throw new IllegalArgumentException("options.answers.models[\"" + file.getKey() + "\"] must be a list");
                }
                List<Model> list = new ArrayList<>();
                file.getValue().forEach(m -> list.add(model(file.getKey(), m)));
                models.put(file.getKey(), list);
            });
        }
        return new Answers(config == null || config.isNull() ? null : JSON.convertValue(config, Map.class), models);
    }

    private static Model model(String file, JsonNode m) {
        if (!m.isObject() || text(m, "fqn") == null) {
            throw new IllegalArgumentException("each model in options.answers.models needs at least an \"fqn\"");
        }
        List<String> dependsOn = new ArrayList<>(strings(m, "depends_on"));
        java.util.Collections.sort(dependsOn);
        return new Model(text(m, "fqn"), text(m, "name"), text(m, "kind"), text(m, "cron"), text(m, "cron_tz"),
                text(m, "interval_unit"), text(m, "start"), strings(m, "tags"), text(m, "owner"),
                text(m, "description"), List.copyOf(dependsOn), strings(m, "audits"), text(m, "dialect"),
                m.path("python").asBoolean(false), new Location(file, 1, 1), strings(m, "grains"),
                textMap(m, "columns"), textMap(m, "column_descriptions"));
    }

    /** A JSON object of strings, in its order; null when absent or null. */
    private static Map<String, String> textMap(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new IllegalArgumentException("options.answers: a model's " + field + " must be an object of strings");
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        value.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static List<String> strings(JsonNode node, String field) {
        JsonNode value = node.get(field);
        List<String> out = new ArrayList<>();
        if (value == null || value.isNull()) {
            return out;
        }
        if (value.isTextual()) {
            out.add(value.asText());
            return out;
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException("options." + field + " must be a list of strings");
        }
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException("options." + field + " must hold only strings");
            }
            out.add(item.asText());
        }
        return out;
    }
}
