package dev.sqlmeshdag.schedule;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
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

    /** SQLMesh samples this many ticks; gaps between them decide the unit. */
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

    static long shortestGapSeconds(Cron cron, LocalDateTime nowUtc) {
        LocalDateTime previous = cron.next(nowUtc);
        long shortest = Long.MAX_VALUE;
        for (int i = 1; i < SAMPLES; i++) {
            LocalDateTime tick = cron.next(previous);
            shortest = Math.min(shortest, Duration.between(previous, tick).getSeconds());
            previous = tick;
        }
        return shortest;
    }

    private static String describe(long seconds) {
        return seconds % 60 == 0 ? (seconds / 60) + " min" : seconds + " s";
    }
}
