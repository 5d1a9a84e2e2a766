package dev.sqlmeshdag.engine;

import dev.sqlmeshdag.core.Model;
import java.util.List;
import java.util.Map;

/**
 * What SQLMesh itself computed for the values a previous read of the project listed as unresolved (see
 * {@code unresolved} in the spec): the Python side loads exactly those pieces with SQLMesh's own loader and asks
 * the engine again with the answers, which take the place of the engine's static reading.
 *
 * @param config the project's configuration as SQLMesh loaded it (personal config and {@code SQLMESH__} variables
 *               already merged), in the shape of {@code config.yaml}; null when the engine reads the config itself
 * @param models per model file (relative to the project), every model SQLMesh loads from it; such a file's models
 *               are SQLMesh's, a model the engine read there but SQLMesh did not load (disabled) is left out
 */
public record Answers(Map<String, Object> config, Map<String, List<Model>> models) {

    public static final Answers NONE = new Answers(null, Map.of());

    public Answers {
        models = models == null ? Map.of() : Map.copyOf(models);
    }
}
