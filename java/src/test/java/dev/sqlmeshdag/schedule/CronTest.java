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
        assertMessage("61 * * * *", "61 is out of range 0-59");
        assertMessage("0 0 * FOO *", "'foo' is not a number or a name");
        assertMessage("@fortnightly", "unknown cron alias '@fortnightly'");
        assertMessage("0 5-1 * * *", "runs backwards");
        assertMessage("", "the cron is empty");
    }

    @Test
    void impossibleDateIsReported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cron.parse("0 0 31 2 *").next(LocalDateTime.parse("2024-01-01T00:00")));
        assertTrue(e.getMessage().contains("never fires"), e.getMessage());
    }

    private static void assertMessage(String cron, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cron.parse(cron));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
