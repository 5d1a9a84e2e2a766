package dev.sqlmeshdag.engine;

import java.time.Instant;
import java.util.List;

/**
 * What a caller asks of the engine.
 *
 * @param gateway the gateway to read the project for, or null for the project's default
 * @param select  SQLMesh {@code --select-model} expressions; empty selects every model
 * @param exclude expressions whose models are left out after selecting
 * @param now     the moment crons are sampled from (SQLMesh samples from the current time), null for now
 * @param defaultCatalog the catalog unqualified names resolve to, instead of the one derived from the gateway's
 *                connection (for warehouses whose catalog only the live connection knows), or null
 * @param answers SQLMesh's own values for what an earlier read listed as unresolved
 * @param filters what narrows the selection further (model_pattern, tags, named models)
 */
public record Options(String gateway, List<String> select, List<String> exclude, Instant now, String defaultCatalog,
        Answers answers, ModelFilters filters) {

    public Options {
        select = select == null ? List.of() : List.copyOf(select);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        defaultCatalog = defaultCatalog == null || defaultCatalog.isBlank() ? null : defaultCatalog;
        answers = answers == null ? Answers.NONE : answers;
        filters = filters == null ? ModelFilters.NONE : filters;
    }

    public Options(String gateway, List<String> select, List<String> exclude, Instant now, String defaultCatalog,
            Answers answers) {
        this(gateway, select, exclude, now, defaultCatalog, answers, ModelFilters.NONE);
    }

    public Options(String gateway, List<String> select, List<String> exclude, Instant now, String defaultCatalog) {
        this(gateway, select, exclude, now, defaultCatalog, Answers.NONE);
    }

    public Options(String gateway, List<String> select, List<String> exclude, Instant now) {
        this(gateway, select, exclude, now, null, Answers.NONE);
    }

    public static Options defaults() {
        return new Options(null, List.of(), List.of(), null);
    }

    public Options withGateway(String g) {
        return new Options(g, select, exclude, now, defaultCatalog, answers, filters);
    }

    public Instant nowOrCurrent() {
        return now == null ? Instant.now() : now;
    }
}
