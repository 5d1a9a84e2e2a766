package dev.sqlmeshdag.schedule;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * SQLMesh's interval units, coarsest first. The order matters: inference picks the first unit no longer than the
 * cron's shortest gap between ticks, exactly as SQLMesh does.
 */
public enum IntervalUnit {
    YEAR(365L * 24 * 3600),
    MONTH(28L * 24 * 3600),
    DAY(24L * 3600),
    HOUR(3600),
    HALF_HOUR(30 * 60),
    QUARTER_HOUR(15 * 60),
    FIVE_MINUTE(5 * 60);

    /** SQLMesh samples this many ticks (and first checks as many gaps for being equal); gaps decide the unit. */
    private static final int SAMPLES = 5;

    private final long seconds;

    IntervalUnit(long seconds) {
        this.seconds = seconds;
    }

    public long seconds() {
        return seconds;
    }

    /** The lower-case name SQLMesh prints ({@code five_minute}). */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean finerThan(IntervalUnit other) {
        return seconds < other.seconds;
    }

    public static Optional<IntervalUnit> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(u -> u.value().equals(v)).findFirst();
    }

    public static String allValues() {
        return Arrays.stream(values()).map(IntervalUnit::value).collect(Collectors.joining(", "));
    }

    /**
     * The unit SQLMesh infers for a cron, sampling ticks after {@code nowUtc} as SQLMesh does (it samples from
     * the current time, so an irregular cron such as {@code *}{@code /7 * * * *} can depend on when it is read).
     *
     * @throws IllegalArgumentException when the cron runs more often than every five minutes
     */
    public static IntervalUnit fromCron(Cron cron, LocalDateTime nowUtc) {
        long shortest = shortestGapSeconds(cron, nowUtc);
        for (IntervalUnit unit : values()) {
            if (unit.seconds <= shortest) {
                return unit;
            }
        }
        throw new IllegalArgumentException("cron '" + cron.text() + "' runs more often than every 5 minutes ("
                + describe(shortest) + " between runs); SQLMesh needs a frequency of 5 minutes or slower, "
                + "e.g. '*/5 * * * *'");
    }

    /**
     * As SQLMesh computes it: up to six ticks from now, and if their gaps are all equal that gap (its
     * {@code interval_seconds}); otherwise the shortest gap among the first five ticks. A cron that runs out of
     * ticks on the way (a year field) fails there, as croniter does.
     */
    static long shortestGapSeconds(Cron cron, LocalDateTime nowUtc) {
        List<LocalDateTime> ticks = new ArrayList<>(List.of(cron.next(nowUtc)));
        Set<Long> gaps = new HashSet<>();
        for (int i = 0; i < SAMPLES && gaps.size() < 2; i++) {
            LocalDateTime previous = ticks.get(ticks.size() - 1);
            LocalDateTime tick = cron.next(previous);
            gaps.add(Duration.between(previous, tick).getSeconds());
            ticks.add(tick);
        }
        if (gaps.size() == 1) {
            return gaps.iterator().next();
        }
        while (ticks.size() < SAMPLES) {
            ticks.add(cron.next(ticks.get(ticks.size() - 1)));
        }
        long shortest = Long.MAX_VALUE;
        for (int i = 1; i < SAMPLES; i++) {
            shortest = Math.min(shortest, Duration.between(ticks.get(i - 1), ticks.get(i)).getSeconds());
        }
        return shortest;
    }

    private static String describe(long seconds) {
        return seconds % 60 == 0 ? (seconds / 60) + " min" : seconds + " s";
    }
}
