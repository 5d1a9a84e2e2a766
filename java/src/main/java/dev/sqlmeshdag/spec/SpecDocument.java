package dev.sqlmeshdag.spec;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.sqlmeshdag.core.Problem;
import java.util.List;

/**
 * The spec document, field for field: Jackson writes each record's components in declaration order, named in snake
 * case. The committed JSON Schema {@code spec/sqlmesh-dag-spec.schema.json} describes the same document; a test
 * keeps the two equal, so a component added here must be added there (and read by the Python side).
 *
 * @param specVersion the contract's version ({@link SpecBuilder#SPEC_VERSION}); the Python side refuses another
 * @param fingerprint what the spec was computed from; null when no project could be read
 * @param schedule    the DAG's cron, inferred from the models' crons; null when no project could be read
 * @param gatewayCatalogs the default catalog of each gateway (lower-case name) whose catalog the engine knows
 *                    without a connection, the chosen one included: what SQLMesh's loader reads a model's own
 *                    {@code gateway} with, so the Python side passes it on when SQLMesh answers such a model
 * @param models      the selected models in topological order; empty when {@code errors} is not
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SpecDocument(
        int specVersion,
        String engineVersion,
        String fingerprint,
        String project,
        String projectPath,
        String gateway,
        String connectionType,
        String stateConnectionType,
        String defaultCatalog,
        java.util.Map<String, String> gatewayCatalogs,
        String dialect,
        String schedule,
        String scheduleReason,
        List<ModelEntry> models,
        List<ProblemEntry> warnings,
        List<ProblemEntry> errors,
        List<UnresolvedEntry> unresolved) {

    /**
     * One model, one Airflow task.
     *
     * @param dependsOn the fqns of the chosen models it reads, looking through models left out by the selection
     *                  and the filters: the tasks it runs after
     * @param parents   the fqns of the models it reads directly, also those left out: the tables it reads
     * @param external  the fqns of the tables it reads that are no model
     * @param grains    the grain columns as SQLMesh prints them; null when one is an expression the engine does not
     *                  print as SQLMesh would
     * @param columns   the declared columns, normalised name -> type as written, in order; null when none are
     *                  declared or they cannot be read statically (never inferred from the query)
     * @param columnDescriptions the declared column descriptions, normalised name -> text; null when none are
     *                  declared or they cannot be read statically (comments in the query are not read)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ModelEntry(
            String fqn,
            String name,
            String taskId,
            String kind,
            String cron,
            String cronTz,
            String intervalUnit,
            String start,
            List<String> tags,
            String owner,
            String description,
            List<String> grains,
            java.util.Map<String, String> columns,
            java.util.Map<String, String> columnDescriptions,
            List<String> dependsOn,
            List<String> parents,
            List<String> external,
            List<String> audits,
            String dialect,
            boolean python,
            String file,
            int line) {
    }

    /** A warning or an error; file, line and col are null for a problem of no one file. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ProblemEntry(String file, Integer line, Integer col, String message) {

        static ProblemEntry of(Problem p) {
            return p.location() == null ? new ProblemEntry(null, null, null, p.message())
                    : new ProblemEntry(p.location().file(), p.location().line(), p.location().col(), p.message());
        }
    }

    /**
     * A value only Python can settle, one entry per place and model.
     *
     * @param kind  {@code config} or {@code model}
     * @param model the fqn of a model defined in {@code file}; null for a config value or when no model was read
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record UnresolvedEntry(String kind, String file, Integer line, String model, String reason) {
    }
}
