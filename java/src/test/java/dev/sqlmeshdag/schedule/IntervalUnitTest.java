package dev.sqlmeshdag.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IntervalUnitTest {

    private static final LocalDateTime NOW = LocalDateTime.parse("2024-05-01T10:00");

    /** sqlmesh-interval-units.tsv holds real SQLMesh's answers (see generate_interval_units.py beside it). */
    @Test
    void inferenceMatchesRealSqlmesh() throws IOException {
        List<String[]> rows = rows();
        assertTrue(rows.size() > 100, "expected the generated table, found " + rows.size() + " rows");
        for (String[] row : rows) {
            LocalDateTime moment = LocalDateTime.parse(row[0]);
            String cron = row[1];
            String expected = row[2];
            if (expected.equals("ERROR")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> IntervalUnit.fromCron(Cron.parse(cron), moment), cron + " at " + moment);
                assertTrue(e.getMessage().contains("5 minutes"), e.getMessage());
            } else {
                assertEquals(expected, IntervalUnit.fromCron(Cron.parse(cron), moment).value(),
                        cron + " at " + moment);
            }
        }
    }

    /** Checked with SQLMesh at these frozen moments: evenly spaced ticks are counted six deep before any unit. */
    @Test
    void cronRunningOutOfTicksFailsWhereSqlmeshDoes() {
        Cron lastHoursOf2024 = Cron.parse("0 * * * * 0 2024");
        assertEquals(IntervalUnit.HOUR,
                IntervalUnit.fromCron(lastHoursOf2024, LocalDateTime.parse("2024-12-31T17:30")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IntervalUnit.fromCron(lastHoursOf2024, LocalDateTime.parse("2024-12-31T18:30")));
        assertTrue(e.getMessage().contains("never fires after 2024-12-31T23:00"), e.getMessage());
        // Uneven gaps (a leap year) need only the five sampled ticks.
        assertEquals(IntervalUnit.YEAR, IntervalUnit.fromCron(Cron.parse("0 0 1 1 * 0 2025-2029"), NOW));
    }

    private static List<String[]> rows() throws IOException {
        try (InputStream in = IntervalUnitTest.class.getResourceAsStream("sqlmesh-interval-units.tsv")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(l -> l.split("\t"))
                    .toList();
        }
    }

    @Test
    void explicitIntervalUnitCoarserThanCronIsRejectedUnlessPartialsAllowed() {
        Problems problems = new Problems();
        Location cronAt = new Location("models/a.sql", 4, 3);
        Optional<ModelSchedule.Resolved> r = ModelSchedule.resolve(input("@hourly", cronAt, "day", false),
                NOW, problems);
        assertTrue(r.isEmpty());
        assertEquals(cronAt, problems.errors().get(0).location());
        assertTrue(problems.errors().get(0).message().contains("allow_partials"));

        Problems ok = new Problems();
        assertEquals(IntervalUnit.DAY, ModelSchedule.resolve(input("@hourly", cronAt, "day", true), NOW, ok)
                .orElseThrow().intervalUnit());
        assertFalse(ok.hasErrors());
    }

    @Test
    void explicitIntervalUnitFinerThanCronIsHonoured() {
        Problems problems = new Problems();
        ModelSchedule.Resolved r = ModelSchedule.resolve(input("@daily", null, "HOUR", false), NOW, problems)
                .orElseThrow();
        assertEquals(IntervalUnit.HOUR, r.intervalUnit());
    }

    @Test
    void tooFrequentCronIsAnErrorAtTheCronProperty() {
        Problems problems = new Problems();
        Location cronAt = new Location("models/fast.sql", 3, 5);
        assertTrue(ModelSchedule.resolve(input("*/2 * * * *", cronAt, null, false), NOW, problems).isEmpty());
        assertEquals("models/fast.sql:3:5: cron '*/2 * * * *' runs more often than every 5 minutes (2 min "
                + "between runs); SQLMesh needs a frequency of 5 minutes or slower, e.g. '*/5 * * * *'",
                problems.errors().get(0).toString());
    }

    @Test
    void unknownIntervalUnitAndTimeZoneAreErrors() {
        Problems problems = new Problems();
        ModelSchedule.resolve(input("@daily", null, "week", false), NOW, problems);
        assertTrue(problems.errors().get(0).message().contains("unknown interval_unit 'week'"));
        Problems tz = new Problems();
        Location tzAt = new Location("models/a.sql", 5, 3);
        ModelSchedule.resolve(new ModelSchedule.Input("@daily", null, "Mars/Olympus", tzAt, null, null, false,
                Location.of("models/a.sql", 1)), NOW, tz);
        assertEquals(tzAt, tz.errors().get(0).location());
    }

    @Test
    void utcTimeZoneIsStoredAsNoneLikeSqlmesh() {
        Problems problems = new Problems();
        assertEquals(null, ModelSchedule.resolve(new ModelSchedule.Input("@daily", null, "UTC", null, null, null,
                false, Location.of("m.sql", 1)), NOW, problems).orElseThrow().cronTz());
        assertEquals("America/New_York", ModelSchedule.resolve(new ModelSchedule.Input("@daily", null,
                "America/New_York", null, null, null, false, Location.of("m.sql", 1)), NOW, problems)
                .orElseThrow().cronTz());
    }

    private static ModelSchedule.Input input(String cron, Location cronAt, String unit, boolean partials) {
        return new ModelSchedule.Input(cron, cronAt, null, null, unit, null, partials, Location.of("models/a.sql", 1));
    }
}
