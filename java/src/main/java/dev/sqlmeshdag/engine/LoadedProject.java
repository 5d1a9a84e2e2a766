package dev.sqlmeshdag.engine;

import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.ProjectConfig;
import dev.sqlmeshdag.graph.ModelGraph;
import dev.sqlmeshdag.schedule.DagSchedule;
import java.util.List;
import java.util.Map;

/**
 * A project as read for one gateway.
 *
 * @param config      the resolved configuration (null when even the config could not be read)
 * @param graph       every enabled model (before selection) and their dependencies
 * @param selected    the models the DAG gets (selected, then filtered), in topological order
 * @param taskIds     fqn -> Airflow task id of every selected model, assigned before the filters
 * @param schedule    the DAG schedule derived from the selected models
 * @param problems    everything found wrong, errors and warnings
 * @param fingerprint sha-256 over every file read and the options
 */
public record LoadedProject(
        ProjectConfig config,
        ModelGraph graph,
        List<String> selected,
        Map<String, String> taskIds,
        DagSchedule schedule,
        Problems problems,
        String fingerprint) {

    /** A project whose task ids are assigned over {@code selected} itself (no filters). */
    public LoadedProject(ProjectConfig config, ModelGraph graph, List<String> selected, DagSchedule schedule,
            Problems problems, String fingerprint) {
        this(config, graph, selected, TaskIds.assign(selected.stream().map(graph::model).toList(),
                config == null ? null : config.defaultCatalog()), schedule, problems, fingerprint);
    }

    public List<Model> selectedModels() {
        return selected.stream().map(graph::model).toList();
    }

    public boolean hasErrors() {
        return problems.hasErrors();
    }
}
