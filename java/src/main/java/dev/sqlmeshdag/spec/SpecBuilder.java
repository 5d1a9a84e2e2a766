package dev.sqlmeshdag.spec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.Problem;
import dev.sqlmeshdag.core.ProjectConfig;
import dev.sqlmeshdag.core.Unresolved;
import dev.sqlmeshdag.engine.Engine;
import dev.sqlmeshdag.engine.LoadedProject;
import dev.sqlmeshdag.graph.ModelGraph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The spec document the Python side turns into an Airflow DAG (field names are a contract: see DESIGN.md). */
public final class SpecBuilder {

    public static final int SPEC_VERSION = 1;
    static final ObjectMapper JSON = new ObjectMapper();

    private SpecBuilder() {
    }

    /** The spec of a loaded project; when it has errors, {@code models} is empty and {@code errors} lists them. */
    public static ObjectNode build(LoadedProject project, Path requestedPath) {
        ObjectNode spec = JSON.createObjectNode();
        ProjectConfig config = project.config();
        spec.put("spec_version", SPEC_VERSION);
        spec.put("engine_version", Engine.VERSION);
        spec.put("fingerprint", project.fingerprint());
        Path root = config != null ? config.root().toAbsolutePath().normalize()
                : requestedPath.toAbsolutePath().normalize();
        String folder = root.getFileName() == null ? root.toString() : root.getFileName().toString();
        spec.put("project", config != null && config.project() != null && !config.project().isBlank()
                ? config.project() : folder);
        spec.put("project_path", root.toString());
        spec.put("gateway", config == null ? null : config.gateway());
        spec.put("connection_type", config == null ? null : config.connectionType());
        spec.put("state_connection_type", config == null ? null : config.stateConnectionType());
        spec.put("default_catalog", config == null ? null : config.defaultCatalog());
        spec.put("dialect", config == null ? null : config.dialect());
        spec.put("schedule", project.schedule().cron());
        spec.put("schedule_reason", project.schedule().reason());
        ArrayNode models = spec.putArray("models");
        if (!project.hasErrors()) {
            addModels(models, project, config);
        }
        spec.set("warnings", problems(project.problems().warnings()));
        spec.set("errors", problems(project.problems().errors()));
        spec.set("unresolved", unresolved(project));
        return spec;
    }

    /**
     * What only Python can settle, one entry per place and model: {@code kind} ("config" or "model"), {@code file},
     * {@code line}, {@code model} (the fqn of each model defined in that file; null when none could be read) and
     * {@code reason}. Its warning or error is in {@code warnings} / {@code errors} too.
     */
    static ArrayNode unresolved(LoadedProject project) {
        ArrayNode out = JSON.createArrayNode();
        for (Unresolved u : project.problems().unresolved()) {
            Problem p = u.problem();
            String file = p.location() == null ? null : p.location().file();
            List<String> models = u.kind() == Unresolved.Kind.MODEL
                    ? project.graph().models().values().stream().filter(m -> m.location().file().equals(file))
                            .map(Model::fqn).toList()
                    : List.of();
            for (String model : models.isEmpty() ? java.util.Collections.<String>singletonList(null) : models) {
                ObjectNode node = out.addObject();
                node.put("kind", u.kind().label());
                node.put("file", file);
                if (p.location() == null) {
                    node.putNull("line");
                } else {
                    node.put("line", p.location().line());
                }
                node.put("model", model);
                node.put("reason", p.message());
            }
        }
        return out;
    }

    /** A spec for a request that failed before any project could be read (bad options, say). */
    public static ObjectNode failure(Path requestedPath, List<Problem> errors) {
        ObjectNode spec = JSON.createObjectNode();
        spec.put("spec_version", SPEC_VERSION);
        spec.put("engine_version", Engine.VERSION);
        spec.putNull("fingerprint");
        Path root = requestedPath.toAbsolutePath().normalize();
        spec.put("project", root.getFileName() == null ? root.toString() : root.getFileName().toString());
        spec.put("project_path", root.toString());
        for (String field : List.of("gateway", "connection_type", "state_connection_type", "default_catalog",
                "dialect", "schedule", "schedule_reason")) {
            spec.putNull(field);
        }
        spec.putArray("models");
        spec.putArray("warnings");
        spec.set("errors", problems(errors));
        spec.putArray("unresolved");
        return spec;
    }

    private static void addModels(ArrayNode out, LoadedProject project, ProjectConfig config) {
        ModelGraph graph = project.graph();
        List<Model> selected = project.selectedModels();
        Map<String, String> taskIds = TaskIds.assign(selected, config.defaultCatalog());
        Set<String> chosen = new HashSet<>(project.selected());
        for (Model m : selected) {
            ObjectNode node = out.addObject();
            node.put("fqn", m.fqn());
            node.put("name", m.name());
            node.put("task_id", taskIds.get(m.fqn()));
            node.put("kind", m.kind());
            node.put("cron", m.cron());
            node.put("cron_tz", m.cronTz());
            node.put("interval_unit", m.intervalUnit());
            node.put("start", m.start());
            strings(node.putArray("tags"), m.tags());
            node.put("owner", m.owner());
            node.put("description", m.description());
            strings(node.putArray("depends_on"), nearestChosen(graph, m.fqn(), chosen));
            strings(node.putArray("external"), graph.external(m.fqn()));
            strings(node.putArray("audits"), m.audits());
            node.put("dialect", m.dialect());
            node.put("python", m.python());
            node.put("file", m.location().file());
            node.put("line", m.location().line());
        }
    }

    /**
     * The model's upstream models among the selected ones. A model left out by the selection is looked
     * through, so {@code a -> b -> c} with {@code b} unselected still orders {@code c} after {@code a}.
     */
    static List<String> nearestChosen(ModelGraph graph, String fqn, Set<String> chosen) {
        Set<String> found = new TreeSet<>();
        Set<String> seen = new HashSet<>();
        List<String> stack = new ArrayList<>(graph.parents(fqn));
        while (!stack.isEmpty()) {
            String parent = stack.remove(stack.size() - 1);
            if (!seen.add(parent)) {
                continue;
            }
            if (chosen.contains(parent)) {
                found.add(parent);
            } else {
                stack.addAll(graph.parents(parent));
            }
        }
        return List.copyOf(found);
    }

    private static ArrayNode problems(List<Problem> problems) {
        ArrayNode out = JSON.createArrayNode();
        for (Problem p : problems) {
            ObjectNode node = out.addObject();
            node.put("file", p.location() == null ? null : p.location().file());
            if (p.location() == null) {
                node.putNull("line");
                node.putNull("col");
            } else {
                node.put("line", p.location().line());
                node.put("col", p.location().col());
            }
            node.put("message", p.message());
        }
        return out;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    public static String toJson(ObjectNode spec) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(spec);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("could not write the spec as JSON", e);
        }
    }
}
