package dev.sqlmeshdag.core;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * SQLMesh's model kinds ({@code ModelKindName} of the pinned SQLMesh), in its order. The one list of kinds: the
 * MODEL block reader, the Python model reader, the model assembler, the macro renderer and the spec's JSON Schema
 * all take theirs from here.
 */
public enum ModelKind {
    INCREMENTAL_BY_TIME_RANGE("IncrementalByTimeRangeKind", true, true),
    INCREMENTAL_BY_UNIQUE_KEY("IncrementalByUniqueKeyKind", true, true),
    INCREMENTAL_BY_PARTITION("IncrementalByPartitionKind", true, true),
    INCREMENTAL_UNMANAGED("IncrementalUnmanagedKind", true, true),
    FULL("FullKind", false, false),
    /** SQLMesh's alias of SCD_TYPE_2_BY_TIME; a {@code SCDType2ByTimeKind(...)} object is read as that one. */
    SCD_TYPE_2(null, true, true),
    SCD_TYPE_2_BY_TIME("SCDType2ByTimeKind", true, true),
    SCD_TYPE_2_BY_COLUMN("SCDType2ByColumnKind", true, true),
    VIEW("ViewKind", true, false),
    EMBEDDED("EmbeddedKind", false, true),
    SEED("SeedKind", true, true),
    EXTERNAL("ExternalKind", false, true),
    CUSTOM("CustomKind", true, true),
    MANAGED("ManagedKind", false, true),
    DBT_CUSTOM("DbtCustomKind", false, true);

    private final String pythonClass;
    private final boolean takesArguments;
    private final boolean intervals;

    /**
     * @param pythonClass    the class of {@code sqlmesh.core.model.kind} a Python model may pass as {@code kind=}
     * @param takesArguments whether a MODEL block may write it with arguments, {@code KIND (key value, ...)}
     * @param intervals      whether SQLMesh renders its query with an interval ({@code @start_ds} ...); VIEW and
     *                       FULL render with the execution time only
     */
    ModelKind(String pythonClass, boolean takesArguments, boolean intervals) {
        this.pythonClass = pythonClass;
        this.takesArguments = takesArguments;
        this.intervals = intervals;
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
