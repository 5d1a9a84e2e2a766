package dev.sqlmeshdag.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Model;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class DagScheduleTest {

    private static final LocalDateTime NOW = LocalDateTime.parse("2024-05-01T10:00");

    static Model model(String name, String cron) {
        return new Model("\"memory\".\"s\".\"" + name + "\"", "s." + name, "FULL", cron, null, "day", null,
                List.of(), null, null, List.of(), List.of(), "duckdb", false, Location.of("models/" + name + ".sql", 1));
    }

    @Test
    void oneSharedCronIsTheSchedule() {
        DagSchedule s = DagSchedule.of(List.of(model("a", "0 3 * * *"), model("b", "0 3 * * *")), NOW);
        assertEquals("0 3 * * *", s.cron());
        assertTrue(s.reason().contains("every model"), s.reason());
    }

    @Test
    void finestCronWinsSoEveryModelHasATickInEachRun() {
        DagSchedule s = DagSchedule.of(List.of(model("a", "@daily"), model("b", "@hourly"), model("c", "@hourly"),
                model("d", "@weekly"), model("e", "@daily"), model("f", "@daily"), model("g", "@monthly")), NOW);
        assertEquals("@hourly", s.cron());
        assertEquals("finest model cron: 2 of 7 models run @hourly; the others skip runs where they are not due",
                s.reason());
    }

    @Test
    void amongCronsOfTheFinestUnitTheMostCommonThenLexicalWins() {
        assertEquals("0 * * * *", DagSchedule.of(List.of(model("a", "30 * * * *"), model("b", "0 * * * *"),
                model("c", "0 * * * *"), model("d", "@daily")), NOW).cron());
        assertEquals("0 * * * *", DagSchedule.of(List.of(model("a", "30 * * * *"), model("b", "0 * * * *"),
                model("d", "@daily")), NOW).cron());
    }

    @Test
    void weeklyAndDailyShareTheDayUnit() {
        assertEquals("@daily", DagSchedule.of(List.of(model("a", "@weekly"), model("b", "@daily"),
                model("c", "@daily")), NOW).cron());
    }

    @Test
    void noModelsFallsBackToDaily() {
        assertEquals("@daily", DagSchedule.of(List.of(), NOW).cron());
    }

    @Test
    void cronWhoseYearFieldEndsItsTicksSoonStillTakesPart() {
        // Six yearly ticks left: enough for SQLMesh's interval unit, fewer than the schedule's gap sample.
        DagSchedule s = DagSchedule.of(List.of(model("a", "0 0 1 1 * 0 2025-2030"), model("b", "@monthly")), NOW);
        assertEquals("@monthly", s.cron());
    }
}
