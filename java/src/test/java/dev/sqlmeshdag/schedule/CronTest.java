package dev.sqlmeshdag.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronTest {

    /** Expected ticks were produced by croniter, the library SQLMesh schedules with. */
    @ParameterizedTest(name = "{0} after {1}")
    @CsvSource(delimiter = '|', value = {
        "0 6 * * 1#1            | 2024-01-01T06:00 | 2024-02-05T06:00 | 2024-03-04T06:00",
        "0 0 L * *              | 2024-02-01T00:00 | 2024-02-29T00:00 | 2024-03-31T00:00",
        "0 0 * * L5             | 2024-01-27T00:00 | 2024-02-23T00:00 | 2024-03-29T00:00",
        "@weekly                | 2024-01-03T12:00 | 2024-01-07T00:00 | 2024-01-14T00:00",
        "0 0 13 * FRI           | 2024-09-01T00:00 | 2024-09-06T00:00 | 2024-09-13T00:00",
        "5-55/10 * * * *        | 2024-01-01T23:56 | 2024-01-02T00:05 | 2024-01-02T00:15",
        "0 0 29 2 *             | 2024-03-01T00:00 | 2028-02-29T00:00 | 2032-02-29T00:00",
        "*/15 9-17 * * MON-FRI  | 2024-01-05T17:50 | 2024-01-08T09:00 | 2024-01-08T09:15",
        "0 12 * JAN,jul SUN     | 2024-01-01T00:00 | 2024-01-07T12:00 | 2024-01-14T12:00",
        // Six fields: croniter's seconds field comes last.
        "0 0 * * * 30           | 2024-01-01T00:00:30 | 2024-01-02T00:00:30 | 2024-01-03T00:00:30",
        "*/20 * * * * 15,45     | 2024-01-01T00:19:50 | 2024-01-01T00:20:15 | 2024-01-01T00:20:45",
        // Seven fields: then a year field, 1970-2099.
        "0 12 * * MON 0 2025-2026 | 2024-03-01T00:00 | 2025-01-06T12:00 | 2025-01-13T12:00",
        "30 2 L * * 10 */3      | 2024-05-01T00:00 | 2024-05-31T02:30:10 | 2024-06-30T02:30:10",
        "0 0 1 1 * 0 2098,2099  | 2060-06-01T00:00 | 2098-01-01T00:00 | 2099-01-01T00:00",
        // croniter's own readings: a backwards range wraps (with its step phase), an equal range is the whole
        // field, a step may exceed the field, d#n ignores a restricted day-of-month, W is the nearest weekday,
        // and a day-of-week naming every day is no restriction when day-of-month has a '*'.
        "0 21-3/2 * * *         | 2024-01-01T00:00 | 2024-01-01T02:00 | 2024-01-01T21:00",
        "5-5 * * * *            | 2024-01-01T00:00 | 2024-01-01T00:01 | 2024-01-01T00:02",
        "*/61 * * * *           | 2024-01-01T00:00 | 2024-01-01T01:00 | 2024-01-01T02:00",
        "0 0 * * sat-sun        | 2024-01-01T00:00 | 2024-01-06T00:00 | 2024-01-07T00:00",
        "0 0 15 * 2#3           | 2024-01-01T00:00 | 2024-01-16T00:00 | 2024-02-20T00:00",
        "0 0 15W * *            | 2024-06-01T00:00 | 2024-06-14T00:00 | 2024-07-15T00:00",
        "0 0 */2 * 0-6          | 2024-01-01T00:00 | 2024-01-03T00:00 | 2024-01-05T00:00",
        "0 0 1,15 * fri         | 2024-01-01T00:00 | 2024-01-05T00:00 | 2024-01-12T00:00",
    })
    void nextTicksMatchCroniter(String cron, String after, String first, String second) {
        Cron c = Cron.parse(cron);
        LocalDateTime t1 = c.next(LocalDateTime.parse(after));
        assertEquals(LocalDateTime.parse(first), t1);
        assertEquals(LocalDateTime.parse(second), c.next(t1));
    }

    @Test
    void aliasesAreSqlmeshsSet() {
        LocalDateTime wednesday = LocalDateTime.parse("2024-01-03T12:34");
        assertEquals(LocalDateTime.parse("2024-01-03T13:00"), Cron.parse("@hourly").next(wednesday));
        assertEquals(LocalDateTime.parse("2024-01-04T00:00"), Cron.parse("@daily").next(wednesday));
        assertEquals(LocalDateTime.parse("2024-01-04T00:00"), Cron.parse("@midnight").next(wednesday));
        assertEquals(LocalDateTime.parse("2024-01-07T00:00"), Cron.parse("@WEEKLY").next(wednesday), "Sunday");
        assertEquals(LocalDateTime.parse("2024-02-01T00:00"), Cron.parse("@monthly").next(wednesday));
        assertEquals(LocalDateTime.parse("2025-01-01T00:00"), Cron.parse("@yearly").next(wednesday));
        assertEquals(LocalDateTime.parse("2025-01-01T00:00"), Cron.parse("@annually").next(wednesday));
    }

    @Test
    void badCronsSayWhatIsWrong() {
        assertMessage("* * *", "expected 5 fields");
        assertMessage("* * * * * * * *", "or 7 (then second and year), found 8");
        assertMessage("0 0 * * * 60", "60 is out of range 0-59");
        assertMessage("0 0 * * * 0 1969", "1969 is out of range 1970-2099");
        assertMessage("61 * * * *", "61 is out of range 0-59");
        assertMessage("0 0 * FOO *", "'foo' is not a number or a name");
        assertMessage("@fortnightly", "unknown cron alias '@fortnightly'");
        assertMessage("? * * * *", "'?' is only allowed in day-of-month or day-of-week");
        assertMessage("0 0 1,15w * *", "'W' can only be used with a single day");
        assertMessage("0 0 * * 1,2#3", "mixes plain days with nth-weekday syntax");
        assertMessage("0 0 * * 1#6", "'#6' is not a week of the month (1-5)");
        assertMessage("r 0 * * *", "random value (R) is drawn anew each time SQLMesh loads");
        assertMessage("", "the cron is empty");
    }

    @Test
    void impossibleDateIsReported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cron.parse("0 0 31 2 *").next(LocalDateTime.parse("2024-01-01T00:00")));
        assertTrue(e.getMessage().contains("never fires"), e.getMessage());
    }

    /** croniter gives up, and SQLMesh with it, when no tick falls within 50 years of the start. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0 0 1 1 * 0 2020   | 2024-01-01T00:00",
        "0 0 1 1 * 0 2090   | 2024-01-01T00:00",
        "0 0 29 2 * 0 */4   | 2024-01-01T00:00",
    })
    void yearFieldWithoutTickWithinFiftyYearsNeverFires(String cron, String after) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cron.parse(cron).next(LocalDateTime.parse(after)));
        assertTrue(e.getMessage().contains("never fires after 2024-01-01T00:00"), e.getMessage());
    }

    @Test
    void nthWeekdayThatNeverFallsOnTheDayOfMonthNeverFires() {
        // croniter insists that some day matches both day fields before it takes the nth weekdays alone.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cron.parse("0 0 1 * 2#3").next(LocalDateTime.parse("2024-01-01T00:00")));
        assertTrue(e.getMessage().contains("never fires"), e.getMessage());
    }

    @Test
    void fiftiethYearAheadIsStillFound() {
        assertEquals(LocalDateTime.parse("2074-01-01T00:00"),
                Cron.parse("0 0 1 1 * 0 2074").next(LocalDateTime.parse("2024-01-01T00:00")));
    }

    private static void assertMessage(String cron, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cron.parse(cron));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
