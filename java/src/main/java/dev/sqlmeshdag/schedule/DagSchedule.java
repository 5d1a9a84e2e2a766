package dev.sqlmeshdag.schedule;

import dev.sqlmeshdag.core.Model;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The DAG's own schedule. Tasks of models that are not due at a run return at once, so the DAG must run at least
 * as often as its most frequent model: the cron with the finest interval unit wins; within that unit the one whose
 * longest gap between ticks is shortest ({@code @daily} over {@code @weekly}), then the most common cron, then the
 * lexically first, for stable output.
 */
public record DagSchedule(String cron, String reason) {

    /** What a project without models runs at; SQLMesh's own default cron. */
    static final String DEFAULT_CRON = "@daily";

    /** Crons are compared by the unit SQLMesh infers from them (not a model's explicit interval_unit). */
    public static DagSchedule of(List<Model> models, LocalDateTime nowUtc) {
        if (models.isEmpty()) {
            return new DagSchedule(DEFAULT_CRON, "no models; SQLMesh's default cron");
        }
        Map<String, Long> byCron = models.stream()
                .collect(Collectors.groupingBy(Model::cron, TreeMap::new, Collectors.counting()));
        if (byCron.size() == 1) {
            String only = byCron.keySet().iterator().next();
            return new DagSchedule(only, "every model runs " + only);
        }
        Map<String, IntervalUnit> units = new TreeMap<>();
        Map<String, Long> longestGaps = new TreeMap<>();
        for (String cron : byCron.keySet()) {
            units.put(cron, IntervalUnit.fromCron(Cron.parse(cron), nowUtc));
            longestGaps.put(cron, longestGapSeconds(Cron.parse(cron), nowUtc));
        }
        // Within one unit the steadier cron wins: @weekly and @daily share "day", but only @daily ticks every day.
        String chosen = byCron.entrySet().stream()
                .min(Comparator.comparingLong((Map.Entry<String, Long> e) -> units.get(e.getKey()).seconds())
                        .thenComparingLong(e -> longestGaps.get(e.getKey()))
                        .thenComparing(e -> -e.getValue())
                        .thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey)
                .orElseThrow();
        long count = byCron.get(chosen);
        return new DagSchedule(chosen, "finest model cron: " + count + " of " + models.size() + " models run "
                + chosen + "; the others skip runs where they are not due");
    }

    /** Enough ticks to see a month-or-year cron's uneven spacing. */
    private static final int GAP_SAMPLES = 13;

    static long longestGapSeconds(Cron cron, LocalDateTime nowUtc) {
        LocalDateTime previous = cron.next(nowUtc);
        long longest = 0;
        for (int i = 1; i < GAP_SAMPLES; i++) {
            LocalDateTime tick;
            try {
                tick = cron.next(previous);
            } catch (IllegalArgumentException e) {
                // A year field can end the ticks; SQLMesh has what it needs from the first few.
                break;
            }
            longest = Math.max(longest, java.time.Duration.between(previous, tick).getSeconds());
            previous = tick;
        }
        return longest;
    }
}
