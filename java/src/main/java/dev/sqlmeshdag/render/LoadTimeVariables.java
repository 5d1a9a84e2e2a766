package dev.sqlmeshdag.render;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The values SQLMesh gives its built-in macro variables while loading a project: every time is the Unix epoch
 * (the interval is the whole day 1970-01-01, end inclusive) and {@code @runtime_stage} is {@code 'loading'}.
 * Checked against SQLMesh 0.236.4 by rendering {@code SELECT @start_ds, ...} models at load time.
 */
final class LoadTimeVariables {

    private static final String DAY = "1970-01-01";
    private static final String START = "00:00:00";
    private static final String END = "23:59:59.999999";

    /** Names that exist only for models with a time interval (every kind except VIEW and FULL). */
    static final Set<String> INTERVAL_PREFIXES = Set.of("start", "end");

    private LoadTimeVariables() {
    }

    /**
     * @param interval whether the model's kind has an interval ({@code @start_ds} ...), i.e. is not VIEW or FULL
     */
    static Map<String, String> of(boolean interval, String thisModel, String gateway) {
        Map<String, String> vars = new HashMap<>();
        addMoment(vars, "execution", START, 0, 0);
        addMoment(vars, "latest", START, 0, 0);
        if (interval) {
            addMoment(vars, "start", START, 0, 0);
            addMoment(vars, "end", END, 86_399_999L, 23);
        }
        vars.put("runtime_stage", "'loading'");
        if (thisModel != null) {
            vars.put("this_model", thisModel);
        }
        if (gateway != null) {
            vars.put("gateway", SqlValues.quote(gateway));
        }
        return vars;
    }

    /** True for {@code start_ds}, {@code end_ts} ...: names a VIEW or FULL model cannot use. */
    static boolean isIntervalVariable(String name) {
        int underscore = name.indexOf('_');
        return underscore > 0 && INTERVAL_PREFIXES.contains(name.substring(0, underscore))
                && of(true, null, null).containsKey(name);
    }

    private static void addMoment(Map<String, String> vars, String prefix, String time, long millis, int hour) {
        String ts = DAY + " " + time;
        vars.put(prefix + "_dt", "CAST('" + ts + "+00:00' AS TIMESTAMPTZ)");
        vars.put(prefix + "_dtntz", "CAST('" + ts + "' AS TIMESTAMP)");
        vars.put(prefix + "_date", "CAST('" + DAY + "' AS DATE)");
        vars.put(prefix + "_ds", "'" + DAY + "'");
        vars.put(prefix + "_ts", "'" + ts + "'");
        vars.put(prefix + "_tstz", "'" + ts + "+00:00'");
        vars.put(prefix + "_epoch", millis == 0 ? "0.0" : String.valueOf(millis / 1000.0));
        vars.put(prefix + "_millis", String.valueOf(millis));
        vars.put(prefix + "_hour", String.valueOf(hour));
    }
}
