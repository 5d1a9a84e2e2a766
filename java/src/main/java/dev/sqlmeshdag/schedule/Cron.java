package dev.sqlmeshdag.schedule;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A cron as SQLMesh's cron library (croniter) reads it: five fields (minute hour day-of-month month day-of-week),
 * six (then a seconds field, last: croniter's default, which SQLMesh keeps) or seven (seconds, then a year field
 * 1970-2099), and the aliases croniter accepts. Supports ranges, steps, lists, month and weekday names, {@code ?},
 * {@code L} (last day of the month), {@code L5} (last Friday, as croniter writes it) and {@code 1#2} (second
 * Monday). Ticks are computed in wall-clock time; the caller decides the zone.
 */
public final class Cron {

    /** The aliases SQLMesh accepts, with the expressions they stand for ({@code @weekly} is Sunday midnight). */
    public static final Map<String, String> ALIASES = Map.of(
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *",
            "@daily", "0 0 * * *",
            "@weekly", "0 0 * * 0",
            "@monthly", "0 0 1 * *",
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *");

    private static final List<String> MONTHS =
            List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
    private static final List<String> WEEKDAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");

    /**
     * croniter gives up when the next tick lies more than this many years after the start (its
     * {@code max_years_between_matches} default); a five-field cron that ticks at all ticks well within it.
     */
    private static final int MAX_YEARS_AHEAD = 50;

    /** croniter's range for the year field. */
    private static final int FIRST_YEAR = 1970;
    private static final int LAST_YEAR = 2099;

    private static final String FIELDS_HELP = "5 fields (minute hour day-of-month month day-of-week), 6 (then"
            + " second) or 7 (then second and year)";

    private final String text;
    /** Null for a five-field cron, which ticks on whole minutes. */
    private final BitSet seconds;
    /** Null unless the cron has a year field. */
    private final BitSet years;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean lastDayOfMonth;
    private final boolean domRestricted;
    private final boolean dowRestricted;
    /** weekday (0=Sunday) -> nth (1..5) or -1 for "last" */
    private final int[][] nthWeekdays;

    private Cron(String text, BitSet minutes, BitSet hours, DayField dom, BitSet months, WeekdayField dow,
            BitSet seconds, BitSet years) {
        this.text = text;
        this.seconds = seconds;
        this.years = years;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = dom.days;
        this.lastDayOfMonth = dom.last;
        this.domRestricted = dom.restricted;
        this.months = months;
        this.daysOfWeek = dow.days;
        this.nthWeekdays = dow.nth;
        this.dowRestricted = dow.restricted;
    }

    /** Parses a cron or alias; the exception's message says what is wrong and how to write it. */
    public static Cron parse(String cron) {
        if (cron == null || cron.isBlank()) {
            throw new IllegalArgumentException("the cron is empty; write five fields such as '0 0 * * *' or an "
                    + "alias (" + String.join(", ", aliasNames()) + ")");
        }
        String expanded = ALIASES.get(cron.trim().toLowerCase(Locale.ROOT));
        if (expanded == null && cron.trim().startsWith("@")) {
            throw new IllegalArgumentException("unknown cron alias '" + cron.trim() + "'; use one of "
                    + String.join(", ", aliasNames()) + " or five fields such as '0 0 * * *'");
        }
        String[] fields = (expanded == null ? cron : expanded).trim().toLowerCase(Locale.ROOT).split("\\s+");
        if (fields.length < 5 || fields.length > 7) {
            throw new IllegalArgumentException("invalid cron '" + cron + "': expected " + FIELDS_HELP + ", found "
                    + fields.length);
        }
        try {
            return new Cron(cron,
                    Field.parse(fields[0], 0, 59, List.of()),
                    Field.parse(fields[1], 0, 23, List.of()),
                    DayField.parse(fields[2]),
                    Field.parse(fields[3], 1, 12, MONTHS),
                    WeekdayField.parse(fields[4]),
                    fields.length > 5 ? Field.parse(fields[5], 0, 59, List.of()) : null,
                    fields.length > 6 ? Field.parse(fields[6], FIRST_YEAR, LAST_YEAR, List.of()) : null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid cron '" + cron + "': " + e.getMessage());
        }
    }

    static List<String> aliasNames() {
        return List.of("@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually", "@midnight");
    }

    public String text() {
        return text;
    }

    /** The first tick strictly after {@code after}: at minute precision, or second precision with a seconds field. */
    public LocalDateTime next(LocalDateTime after) {
        LocalDateTime t = seconds == null ? after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1)
                : after.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        int lastYear = t.getYear() + MAX_YEARS_AHEAD;
        while (t.getYear() <= lastYear) {
            if (years != null && !years.get(t.getYear())) {
                int year = years.nextSetBit(t.getYear() + 1);
                if (year < 0) {
                    break;
                }
                t = LocalDateTime.of(year, 1, 1, 0, 0);
            } else if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
            } else if (!dayMatches(t.toLocalDate())) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            } else if (seconds != null && !seconds.get(t.getSecond())) {
                t = t.plusSeconds(1);
            } else {
                return t;
            }
        }
        throw new IllegalArgumentException("cron '" + text + "' never fires after "
                + after.truncatedTo(ChronoUnit.SECONDS) + " (no date within " + MAX_YEARS_AHEAD + " years matches its fields, so SQLMesh's cron library"
                + " gives up too)");
    }

    private boolean dayMatches(LocalDate date) {
        boolean dom = daysOfMonth.get(date.getDayOfMonth())
                || (lastDayOfMonth && date.getDayOfMonth() == date.lengthOfMonth());
        boolean dow = weekdayMatches(date);
        // Classic cron: when both day fields are restricted a day matching either one fires.
        if (domRestricted && dowRestricted) {
            return dom || dow;
        }
        return domRestricted ? dom : !dowRestricted || dow;
    }

    private boolean weekdayMatches(LocalDate date) {
        int weekday = date.getDayOfWeek().getValue() % 7;
        if (daysOfWeek.get(weekday)) {
            return true;
        }
        for (int[] nth : nthWeekdays) {
            if (nth[0] != weekday) {
                continue;
            }
            if (nth[1] == -1) {
                DayOfWeek dow = date.getDayOfWeek();
                if (date.with(TemporalAdjusters.lastInMonth(dow)).equals(date)) {
                    return true;
                }
            } else if ((date.getDayOfMonth() - 1) / 7 + 1 == nth[1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }

    /** One numeric field: {@code *}, {@code a}, {@code a-b}, with {@code /step}, comma lists, names. */
    static final class Field {
        static BitSet parse(String field, int min, int max, List<String> names) {
            BitSet bits = new BitSet(max + 1);
            for (String part : field.split(",", -1)) {
                addPart(bits, part, min, max, names);
            }
            return bits;
        }

        static void addPart(BitSet bits, String part, int min, int max, List<String> names) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("empty list item in '" + part + "'");
            }
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), 1, max - min + 1, List.of(), 0);
            }
            int from;
            int to;
            if (range.equals("*") || range.equals("?")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    throw new IllegalArgumentException("bad range '" + range + "'");
                }
                from = number(ends[0], min, max, names, min);
                to = number(ends[1], min, max, names, min);
                if (to < from) {
                    throw new IllegalArgumentException("range '" + range + "' runs backwards");
                }
            } else {
                from = number(range, min, max, names, min);
                to = slash >= 0 ? max : from;
            }
            for (int v = from; v <= to; v += step) {
                bits.set(v);
            }
        }

        static int number(String text, int min, int max, List<String> names, int nameBase) {
            int named = names.indexOf(text);
            if (named >= 0) {
                return named + nameBase;
            }
            int value;
            try {
                value = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a number"
                        + (names.isEmpty() ? "" : " or a name (" + String.join(", ", names) + ")"));
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException(value + " is out of range " + min + "-" + max);
            }
            return value;
        }
    }

    /** Day of month: numeric field plus {@code L}. */
    record DayField(BitSet days, boolean last, boolean restricted) {
        static DayField parse(String field) {
            boolean restricted = !(field.equals("*") || field.equals("?"));
            BitSet days = new BitSet(32);
            boolean last = false;
            for (String part : field.split(",", -1)) {
                if (part.equals("l")) {
                    last = true;
                } else {
                    Field.addPart(days, part, 1, 31, List.of());
                }
            }
            return new DayField(days, last, restricted);
        }
    }

    /** Day of week, 0 or 7 = Sunday, plus {@code d#n} and {@code Ld}. */
    record WeekdayField(BitSet days, int[][] nth, boolean restricted) {
        static WeekdayField parse(String field) {
            boolean restricted = !(field.equals("*") || field.equals("?"));
            BitSet days = new BitSet(8);
            List<int[]> nth = new java.util.ArrayList<>();
            for (String part : field.split(",", -1)) {
                if (part.matches("[0-7a-z]+#[1-5]")) {
                    String[] p = part.split("#");
                    nth.add(new int[] {Field.number(p[0], 0, 7, WEEKDAYS, 0) % 7, Integer.parseInt(p[1])});
                } else if (part.matches("l[0-7]")) {
                    nth.add(new int[] {Field.number(part.substring(1), 0, 7, WEEKDAYS, 0) % 7, -1});
                } else {
                    Field.addPart(days, part, 0, 7, WEEKDAYS);
                }
            }
            if (days.get(7)) {
                days.set(0);
            }
            return new WeekdayField(days, nth.toArray(new int[0][]), restricted);
        }
    }
}
