package dev.sqlmeshdag.core;

import java.util.List;
import java.util.Map;

/**
 * A model as SQLMesh holds it after loading: normalised name, kind, schedule and dependencies.
 *
 * @param fqn          quoted, normalised fully-qualified name as SQLMesh writes it ({@code "memory"."sushi"."orders"})
 * @param name         the model name as written after blueprint rendering ({@code sushi.orders})
 * @param kind         SQLMesh's kind name ({@code FULL}, {@code INCREMENTAL_BY_TIME_RANGE}, ...)
 * @param cron         the cron as given ({@code @daily}, {@code 0 * * * *})
 * @param cronTz       the {@code cron_tz}, or null
 * @param intervalUnit SQLMesh's lower-case interval unit ({@code day}, {@code five_minute}, ...)
 * @param start        the {@code start} as given, or null
 * @param tags         tags in file order
 * @param owner        owner, or null
 * @param description  description, or null
 * @param dependsOn    sorted fqns of every table the model reads (models and non-model tables alike)
 * @param audits       audit names attached to the model
 * @param dialect      the model's dialect
 * @param python       true for a Python model
 * @param location     where it is defined
 * @param grains       the {@code grain} / {@code grains} expressions as written, in order
 * @param columns      the declared {@code columns}: name as SQLMesh normalises it -> type as written; null when the
 *                     model declares none or the engine cannot read them statically (never inferred from the query)
 * @param columnDescriptions the declared {@code column_descriptions}: normalised name -> description; null when the
 *                     model declares none or the engine cannot read them statically
 */
public record Model(
        String fqn,
        String name,
        String kind,
        String cron,
        String cronTz,
        String intervalUnit,
        String start,
        List<String> tags,
        String owner,
        String description,
        List<String> dependsOn,
        List<String> audits,
        String dialect,
        boolean python,
        Location location,
        List<String> grains,
        Map<String, String> columns,
        Map<String, String> columnDescriptions) {

    /** A model without grains or declared columns. */
    public Model(String fqn, String name, String kind, String cron, String cronTz, String intervalUnit, String start,
                 List<String> tags, String owner, String description, List<String> dependsOn, List<String> audits,
                 String dialect, boolean python, Location location) {
        this(fqn, name, kind, cron, cronTz, intervalUnit, start, tags, owner, description, dependsOn, audits, dialect,
                python, location, List.of(), null, null);
    }
}
