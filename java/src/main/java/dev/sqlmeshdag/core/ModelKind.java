package dev.sqlmeshdag.core;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * SQLMesh's model kinds ({@code ModelKindName} of the pinned SQLMesh), in its order. The one list of kinds: the
 * MODEL block reader, the Python model reader, the model assembler and the macro renderer take theirs from here, and
 * tests hold it equal to SQLMesh's ({@code SqlmeshFactsTest}) and to the spec's JSON Schema ({@code SpecSchemaTest}).
 */
public enum ModelKind {
    INCREMENTAL_BY_TIME_RANGE("IncrementalByTimeRangeKind", true, true,
            Set.of("time_column"),
            Set.of("auto_restatement_cron", "auto_restatement_intervals", "batch_concurrency", "batch_size", "dialect",
                    "disable_restatement", "forward_only", "lookback", "on_additive_change", "on_destructive_change",
                    "partition_by_time_column", "time_column")),
    INCREMENTAL_BY_UNIQUE_KEY("IncrementalByUniqueKeyKind", true, true,
            Set.of("unique_key"),
            Set.of("auto_restatement_cron", "batch_concurrency", "batch_size", "dialect", "disable_restatement",
                    "forward_only", "lookback", "merge_filter", "on_additive_change", "on_destructive_change",
                    "unique_key", "when_matched")),
    INCREMENTAL_BY_PARTITION("IncrementalByPartitionKind", true, true,
            Set.of(),
            Set.of("auto_restatement_cron", "disable_restatement", "forward_only", "on_additive_change",
                    "on_destructive_change")),
    INCREMENTAL_UNMANAGED("IncrementalUnmanagedKind", true, true,
            Set.of(),
            Set.of("auto_restatement_cron", "disable_restatement", "forward_only", "insert_overwrite",
                    "on_additive_change", "on_destructive_change")),
    FULL("FullKind", false, false,
            Set.of(),
            Set.of()),
    /** SQLMesh's alias of SCD_TYPE_2_BY_TIME; a {@code SCDType2ByTimeKind(...)} object is read as that one. */
    SCD_TYPE_2(null, true, true,
            Set.of("unique_key"),
            Set.of("auto_restatement_cron", "batch_size", "dialect", "disable_restatement", "forward_only",
                    "invalidate_hard_deletes", "on_additive_change", "on_destructive_change", "time_data_type",
                    "unique_key", "updated_at_as_valid_from", "updated_at_name", "valid_from_name", "valid_to_name")),
    SCD_TYPE_2_BY_TIME("SCDType2ByTimeKind", true, true,
            Set.of("unique_key"),
            Set.of("auto_restatement_cron", "batch_size", "dialect", "disable_restatement", "forward_only",
                    "invalidate_hard_deletes", "on_additive_change", "on_destructive_change", "time_data_type",
                    "unique_key", "updated_at_as_valid_from", "updated_at_name", "valid_from_name", "valid_to_name")),
    SCD_TYPE_2_BY_COLUMN("SCDType2ByColumnKind", true, true,
            Set.of("columns", "unique_key"),
            Set.of("auto_restatement_cron", "batch_size", "columns", "dialect", "disable_restatement",
                    "execution_time_as_valid_from", "forward_only", "invalidate_hard_deletes", "on_additive_change",
                    "on_destructive_change", "time_data_type", "unique_key", "updated_at_name", "valid_from_name",
                    "valid_to_name")),
    VIEW("ViewKind", true, false,
            Set.of(),
            Set.of("materialized")),
    EMBEDDED("EmbeddedKind", false, true,
            Set.of(),
            Set.of()),
    SEED("SeedKind", true, true,
            Set.of("path"),
            Set.of("batch_size", "csv_settings", "path")),
    EXTERNAL("ExternalKind", false, true,
            Set.of(),
            Set.of()),
    /** Its fields are those of a materialization the engine cannot see, so they are not checked. */
    CUSTOM("CustomKind", true, true,
            Set.of(),
            null),
    MANAGED("ManagedKind", false, true,
            Set.of(),
            Set.of("disable_restatement")),
    DBT_CUSTOM("DbtCustomKind", false, true,
            Set.of("definition", "materialization"),
            Set.of("adapter", "definition", "dialect", "materialization"));

    private final String pythonClass;
    private final boolean takesArguments;
    private final boolean intervals;
    private final Set<String> requiredFields;
    private final Set<String> fields;

    /**
     * @param pythonClass    the class of {@code sqlmesh.core.model.kind} a Python model may pass as {@code kind=}
     * @param takesArguments whether a MODEL block may write it with arguments, {@code KIND (key value, ...)}
     * @param intervals      whether SQLMesh renders its query with an interval ({@code @start_ds} ...); VIEW and
     *                       FULL render with the execution time only
     * @param requiredFields the fields SQLMesh's kind class requires ({@code required_fields()})
     * @param fields         every field of SQLMesh's kind class after its aliases ({@code all_fields()}), null when
     *                       not known to the engine; {@code SqlmeshFactsTest} compares both with SQLMesh's
     */
    ModelKind(String pythonClass, boolean takesArguments, boolean intervals, Set<String> requiredFields,
            Set<String> fields) {
        this.pythonClass = pythonClass;
        this.takesArguments = takesArguments;
        this.intervals = intervals;
        this.requiredFields = requiredFields;
        this.fields = fields;
    }

    public Set<String> requiredFields() {
        return requiredFields;
    }

    /** Every field the kind takes; empty when the engine cannot know them (CUSTOM). */
    public Optional<Set<String>> fields() {
        return Optional.ofNullable(fields);
    }

    public boolean takesArguments() {
        return takesArguments;
    }

    public boolean intervals() {
        return intervals;
    }

    /** The kind named {@code name}, in any case; empty for a name SQLMesh does not know. */
    public static Optional<ModelKind> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String upper = name.toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(k -> k.name().equals(upper)).findFirst();
    }

    /** The kind of a {@code sqlmesh.core.model.kind} class ({@code IncrementalByTimeRangeKind} ...). */
    public static Optional<ModelKind> ofPythonClass(String className) {
        return Arrays.stream(values()).filter(k -> className.equals(k.pythonClass)).findFirst();
    }

    /** Every kind name, in SQLMesh's order (for error messages). */
    public static List<String> names() {
        return Arrays.stream(values()).map(ModelKind::name).toList();
    }
}
