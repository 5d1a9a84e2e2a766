package dev.sqlmeshdag.engine;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.graph.ModelGraph;
import dev.sqlmeshdag.graph.PythonRegex;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What narrows the selection after SQLMesh's selectors ({@code select} / {@code exclude}): the Python package's
 * {@code model_pattern}, {@code include_tags}, {@code exclude_tags} and {@code create_tasks_in_dag(models=...)}.
 * Task ids are assigned before these filters, so a filter never renames a task.
 *
 * @param modelPattern a Python regular expression searched in each model's name ({@code re.search}), or null
 * @param includeTags  keep only models that have one of these tags (exact, case-sensitive); empty keeps every model
 * @param excludeTags  leave out models that have one of these tags (exact, case-sensitive)
 * @param models       keep only these models, each named by its name, fqn or task id among the selected models;
 *                     null keeps every model
 */
public record ModelFilters(String modelPattern, List<String> includeTags, List<String> excludeTags,
        List<String> models) {

    public static final ModelFilters NONE = new ModelFilters(null, List.of(), List.of(), null);

    public ModelFilters {
        modelPattern = modelPattern == null || modelPattern.isEmpty() ? null : modelPattern;
        includeTags = includeTags == null ? List.of() : List.copyOf(includeTags);
        excludeTags = excludeTags == null ? List.of() : List.copyOf(excludeTags);
        models = models == null ? null : List.copyOf(models);
    }

    /**
     * The selected models (fqns, in order) these filters keep; what cannot be applied is an error in
     * {@code problems}, placed at the command-line option that gave it.
     */
    List<String> apply(List<String> selected, ModelGraph graph, Map<String, String> taskIds, Problems problems) {
        List<Model> kept = new ArrayList<>(selected.stream().map(graph::model).toList());
        if (models != null) {
            kept = named(kept, taskIds, problems);
        }
        if (modelPattern != null) {
            Pattern pattern = compile(problems);
            if (pattern == null) {
                return List.of();
            }
            kept.removeIf(m -> !pattern.matcher(m.name()).find());
        }
        if (!includeTags.isEmpty()) {
            kept.removeIf(m -> Collections.disjoint(m.tags(), includeTags));
        }
        if (!excludeTags.isEmpty()) {
            kept.removeIf(m -> !Collections.disjoint(m.tags(), excludeTags));
        }
        return kept.stream().map(Model::fqn).toList();
    }

    private List<Model> named(List<Model> selected, Map<String, String> taskIds, Problems problems) {
        Set<String> wanted = new TreeSet<>(models);
        Set<String> found = new TreeSet<>();
        List<Model> out = new ArrayList<>();
        for (Model m : selected) {
            List<String> names = List.of(m.name(), m.fqn(), taskIds.getOrDefault(m.fqn(), m.fqn()));
            if (names.stream().anyMatch(wanted::contains)) {
                out.add(m);
                found.addAll(names);
            }
        }
        wanted.removeAll(found);
        if (!wanted.isEmpty()) {
            // The Python package words this as create_tasks_in_dag's error; keep "no model named <names>".
            problems.error(new Location("--model", 1, 1), "no model named " + String.join(", ", wanted));
        }
        return out;
    }

    private Pattern compile(Problems problems) {
        Location where = new Location("--model-pattern", 1, 1);
        try {
            return PythonRegex.compile(modelPattern);
        } catch (PythonRegex.Unsupported e) {
            problems.error(where, e.getMessage());
        } catch (PatternSyntaxException | IndexOutOfBoundsException | NumberFormatException e) {
            problems.error(where, "model_pattern '" + modelPattern + "' is not a regular expression Python's re "
                    + "accepts (" + e.getMessage().lines().findFirst().orElse("") + "); check it with "
                    + "re.compile()");
        }
        return null;
    }

    /** The filters as the fingerprint records them (empty when there are none). */
    String describe() {
        return equals(NONE) ? "" : "\0model_pattern=" + modelPattern + "\0include_tags=" + includeTags
                + "\0exclude_tags=" + excludeTags + "\0models=" + models;
    }
}
