package dev.sqlmeshdag.spec;

import com.fasterxml.jackson.databind.ObjectMapper;
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

    public static final int SPEC_VERSION = 3;
    static final ObjectMapper JSON = new ObjectMapper();

    private SpecBuilder() {
    }

    /** The spec of a loaded project; when it has errors, {@code models} is empty and {@code errors} lists them. */
    public static SpecDocument build(LoadedProject project, Path requestedPath) {
        ProjectConfig config = project.config();
        Path root = config != null ? config.root().toAbsolutePath().normalize()
                : requestedPath.toAbsolutePath().normalize();
        String name = config != null && config.project() != null && !config.project().isBlank()
                ? config.project() : folderName(root);
        return new SpecDocument(SPEC_VERSION, Engine.VERSION, project.fingerprint(), name, root.toString(),
                config == null ? null : config.gateway(),
                config == null ? null : config.connectionType(),
                config == null ? null : config.stateConnectionType(),
                config == null ? null : config.defaultCatalog(),
                gatewayCatalogs(config),
                config == null ? null : config.dialect(),
                project.schedule().cron(), project.schedule().reason(),
                project.hasErrors() ? List.of() : models(project, config),
                problems(project.problems().warnings()), problems(project.problems().errors()),
                unresolved(project));
    }

    /**
     * What only Python can settle, one entry per place and model: its {@code model} is the fqn of each model defined
     * in that file (null when none could be read). Its warning or error is in {@code warnings} / {@code errors} too.
     */
    static List<SpecDocument.UnresolvedEntry> unresolved(LoadedProject project) {
        List<SpecDocument.UnresolvedEntry> out = new ArrayList<>();
        for (Unresolved u : project.problems().unresolved()) {
            Problem p = u.problem();
            String file = p.location() == null ? null : p.location().file();
            Integer line = p.location() == null ? null : p.location().line();
            List<String> models = u.kind() == Unresolved.Kind.MODEL
                    ? project.graph().models().values().stream().filter(m -> m.location().file().equals(file))
                            .map(Model::fqn).toList()
                    : List.of();
            for (String model : models.isEmpty() ? java.util.Collections.<String>singletonList(null) : models) {
                out.add(new SpecDocument.UnresolvedEntry(u.kind().label(), file, line, model, p.message()));
            }
        }
        return out;
    }

    /** A spec for a request that failed before any project could be read (bad options, say). */
    public static SpecDocument failure(Path requestedPath, List<Problem> errors) {
        Path root = requestedPath.toAbsolutePath().normalize();
        return new SpecDocument(SPEC_VERSION, Engine.VERSION, null, folderName(root), root.toString(), null, null,
                null, null, java.util.Map.of(), null, null, null, List.of(), List.of(), problems(errors), List.of());
    }

    /** The catalogs SQLMesh's loader would get per gateway, as far as the engine knows them without a connection. */
    static java.util.Map<String, String> gatewayCatalogs(ProjectConfig config) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        if (config == null) {
            return out;
        }
        if (config.otherGateways() != null) {
            config.otherGateways().forEach((name, scope) -> {
                if (scope.catalogKnown() && scope.defaultCatalog() != null) {
                    out.put(name, scope.defaultCatalog());
                }
            });
        }
        if (config.gateway() != null && config.defaultCatalog() != null) {
            out.put(config.gateway().toLowerCase(java.util.Locale.ROOT), config.defaultCatalog());
        }
        return out;
    }

    private static String folderName(Path root) {
        return root.getFileName() == null ? root.toString() : root.getFileName().toString();
    }

    private static List<SpecDocument.ModelEntry> models(LoadedProject project, ProjectConfig config) {
        ModelGraph graph = project.graph();
        List<Model> selected = project.selectedModels();
        Map<String, String> taskIds = project.taskIds();
        Set<String> chosen = new HashSet<>(project.selected());
        List<SpecDocument.ModelEntry> out = new ArrayList<>();
        for (Model m : selected) {
            out.add(new SpecDocument.ModelEntry(m.fqn(), m.name(), taskIds.get(m.fqn()), m.kind(), m.cron(),
                    m.cronTz(), m.intervalUnit(), m.start(), m.tags(), m.owner(), m.description(), m.grains(),
                    m.columns(), m.columnDescriptions(), nearestChosen(graph, m.fqn(), chosen), graph.parents(m.fqn()),
                    graph.external(m.fqn()), m.audits(), m.dialect(),
                    m.python(), m.location().file(), m.location().line()));
        }
        return out;
    }

    /**
     * The model's upstream models among the chosen ones (selected and kept by the filters). A model left out is
     * looked through, so {@code a -> b -> c} with {@code b} left out still orders {@code c} after {@code a}. The one
     * place this is computed: the Python side orders the tasks by {@code depends_on} as it is.
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

    private static List<SpecDocument.ProblemEntry> problems(List<Problem> problems) {
        return problems.stream().map(SpecDocument.ProblemEntry::of).toList();
    }

    public static String toJson(SpecDocument spec) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(spec);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("could not write the spec as JSON", e);
        }
    }
}
