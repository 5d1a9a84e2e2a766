package dev.sqlmeshdag.engine;

import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.ProjectConfig;
import dev.sqlmeshdag.graph.ModelGraph;
import dev.sqlmeshdag.schedule.DagSchedule;
import java.util.List;

/**
 * A project as read for one gateway.
 *
 * @param config      the resolved configuration (null when even the config could not be read)
 * @param graph       every enabled model (before selection) and their dependencies
 * @param selected    the selected models' fqns, in topological order
 * @param schedule    the DAG schedule derived from the selected models
 * @param problems    everything found wrong, errors and warnings
 * @param fingerprint sha-256 over every file read and the options
 */
public record LoadedProject(
        ProjectConfig config,
        ModelGraph graph,
        List<String> selected,
        DagSchedule schedule,
        Problems problems,
        String fingerprint) {

    public List<Model> selectedModels() {
        return selected.stream().map(graph::model).toList();
    }

    public boolean hasErrors() {
        return problems.hasErrors();
    }
}
