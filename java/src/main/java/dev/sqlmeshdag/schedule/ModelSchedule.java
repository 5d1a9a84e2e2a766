package dev.sqlmeshdag.schedule;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Optional;

/** Checks one model's {@code cron}, {@code cron_tz} and {@code interval_unit} the way SQLMesh validates them. */
public final class ModelSchedule {

    /** A model's checked schedule; {@code cronTz} is null for UTC, as SQLMesh stores it. */
    public record Resolved(String cron, String cronTz, IntervalUnit intervalUnit) {
    }

    /** The raw values with where each was written (a location may be null when the value is a default). */
    public record Input(String cron, Location cronAt, String cronTz, Location cronTzAt,
            String intervalUnit, Location intervalUnitAt, boolean allowPartials, Location modelAt) {
    }

    private ModelSchedule() {
    }

    /** Empty when something is wrong; every problem is recorded with the property's location. */
    public static Optional<Resolved> resolve(Input in, LocalDateTime nowUtc, Problems problems) {
        Location cronAt = in.cronAt() != null ? in.cronAt() : in.modelAt();
        Cron cron;
        IntervalUnit inferred;
        try {
            cron = Cron.parse(in.cron());
            inferred = IntervalUnit.fromCron(cron, nowUtc);
        } catch (IllegalArgumentException e) {
            problems.error(cronAt, e.getMessage());
            return Optional.empty();
        }
        Optional<String> tz = timeZone(in, problems);
        if (tz == null) {
            return Optional.empty();
        }
        if (in.intervalUnit() == null || in.intervalUnit().isBlank()) {
            return Optional.of(new Resolved(in.cron(), tz.orElse(null), inferred));
        }
        Location unitAt = in.intervalUnitAt() != null ? in.intervalUnitAt() : in.modelAt();
        Optional<IntervalUnit> explicit = IntervalUnit.parse(in.intervalUnit());
        if (explicit.isEmpty()) {
            problems.error(unitAt, "unknown interval_unit '" + in.intervalUnit() + "'; use one of "
                    + IntervalUnit.allValues());
            return Optional.empty();
        }
        if (!in.allowPartials() && explicit.get().seconds() > inferred.seconds()) {
            problems.error(cronAt, "cron '" + in.cron() + "' runs more often than its interval_unit '"
                    + explicit.get().value() + "' (the cron's own unit is '" + inferred.value()
                    + "'); use a cron no more frequent than the interval unit, or set allow_partials true "
                    + "if this is intentional");
            return Optional.empty();
        }
        return Optional.of(new Resolved(in.cron(), tz.orElse(null), explicit.get()));
    }

    /** Null when invalid (recorded), empty for UTC or unset. */
    private static Optional<String> timeZone(Input in, Problems problems) {
        String tz = in.cronTz();
        if (tz == null || tz.isBlank() || tz.equals("UTC")) {
            return Optional.empty();
        }
        try {
            ZoneId.of(tz);
            return Optional.of(tz);
        } catch (DateTimeException e) {
            problems.error(in.cronTzAt() != null ? in.cronTzAt() : in.modelAt(), "unknown cron_tz '" + tz
                    + "'; use an IANA time zone name such as 'UTC', 'Europe/Berlin' or 'America/New_York'");
            return null;
        }
    }
}
