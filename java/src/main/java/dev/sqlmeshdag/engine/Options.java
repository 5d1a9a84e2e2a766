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
 */
public record Options(String gateway, List<String> select, List<String> exclude, Instant now) {

    public Options {
        select = select == null ? List.of() : List.copyOf(select);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
    }

    public static Options defaults() {
        return new Options(null, List.of(), List.of(), null);
    }

    public Options withGateway(String g) {
        return new Options(g, select, exclude, now);
    }

    public Instant nowOrCurrent() {
        return now == null ? Instant.now() : now;
    }
}
