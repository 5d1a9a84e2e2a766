package dev.sqlmeshdag.schedule;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final int MINUTE = 0;
    private static final int HOUR = 1;
    private static final int DOM = 2;
    private static final int MONTH = 3;
    private static final int DOW = 4;
    private static final int SECOND = 5;
    private static final int YEAR = 6;
    private static final String[] FIELD_NAMES = {"minute", "hour", "day-of-month", "month", "day-of-week", "second",
        "year"};
    /** croniter's bounds per field (day-of-week 0-6, 7 read as 0) and its count of values that means "every". */
    private static final int[][] RANGES = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 6}, {0, 59}, {1970, 2099}};
    private static final int[] LEN_MEANS_ALL = {60, 24, 31, 12, 7, 60, 130};

    /**
     * croniter gives up when the next tick lies more than this many years after the start (its
     * {@code max_years_between_matches} default); a five-field cron that ticks at all ticks well within it.
     */
    private static final int MAX_YEARS_AHEAD = 50;

    private static final String FIELDS_HELP = "5 fields (minute hour day-of-month month day-of-week), 6 (then"
            + " second) or 7 (then second and year)";

    private static final Pattern STEP_RANGE = Pattern.compile("^([^-]+)-([^-/]+)(/(\\d+))?$");
    private static final Pattern NTH_WEEKDAY = Pattern.compile("^(?:(?<he>(?:(?:sun|mon|tue|wed|thu|fri|sat)"
            + "(?:-(?:sun|mon|tue|wed|thu|fri|sat))?)|(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
            + "(?:-(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))?)|\\w+)#|l)(?<last>\\d+)$");
    private static final Pattern HASHED = Pattern.compile("^[hr](\\(\\d+-\\d+\\))?(/\\d+)?$");
    private static final Pattern NEAREST_WEEKDAY = Pattern.compile("^(?:(\\d+)w|w(\\d+))$");

    private final String text;
    /** minute, hour, day-of-month, month, day-of-week, then second and year when written. */
    private final Values[] fields;
    /** Day of month {@code L}. */
    private final boolean lastDayOfMonth;
    /** weekday (0=Sunday) -> the nths it fires on (1..5, -1 for "last"), from {@code d#n} and {@code Ld}. */
    private final Map<Integer, Set<Integer>> nthWeekdays;
    /** Day of month {@code 15W}: the weekday nearest that day, within the month; 0 when not used. */
    private final int nearestWeekdayTo;

    /** One field as croniter expands it: its values, or {@code any} when it reduced the field to '*'. */
    private record Values(BitSet bits, boolean any) {
        boolean has(int value) {
            return any || bits.get(value);
        }
    }

    private Cron(String text, Values[] fields, DayExtras days) {
        this.text = text;
        this.fields = fields;
        this.lastDayOfMonth = days.last;
        this.nthWeekdays = days.nth;
        this.nearestWeekdayTo = days.nearestWeekdayTo;
    }

    /** What the day fields hold besides plain values. */
    private static final class DayExtras {
        boolean last;
        int nearestWeekdayTo;
        final Map<Integer, Set<Integer>> nth = new TreeMap<>();
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
        String[] exprs = (expanded == null ? cron : expanded).trim().toLowerCase(Locale.ROOT).split("\\s+");
        if (exprs.length < 5 || exprs.length > 7) {
            throw new IllegalArgumentException("invalid cron '" + cron + "': expected " + FIELDS_HELP + ", found "
                    + exprs.length);
        }
        try {
            Values[] fields = new Values[exprs.length];
            DayExtras days = new DayExtras();
            Map<Integer, Set<Integer>> nth = days.nth;
            for (int f = 0; f < exprs.length; f++) {
                try {
                    fields[f] = expand(f, exprs, days);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(FIELD_NAMES[f] + " field '" + exprs[f] + "': "
                            + e.getMessage());
                }
            }
            if (!nth.isEmpty() && !fields[DOW].any()) {
                BitSet plain = (BitSet) fields[DOW].bits().clone();
                nth.keySet().forEach(plain::clear);
                if (!plain.isEmpty() && fields[DOW].bits().cardinality() != 7) {
                    throw new IllegalArgumentException("day-of-week mixes plain days with nth-weekday syntax"
                            + " (d#n, Ld), which croniter does not support");
                }
            }
            return new Cron(cron, fields, days);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid cron '" + cron + "': " + e.getMessage());
        }
    }

    /**
     * One field expanded exactly as croniter's {@code _expand} does: comma lists, {@code a-b} and {@code a/step}
     * (an equal range {@code a-a} means the whole field, a backwards range wraps around with croniter's step
     * phase), names, {@code L}, {@code 15W} and {@code d#n}/{@code Ld}; a field holding every value becomes '*'
     * unless it is one of the day fields and the other day field has no '*'.
     */
    private static Values expand(int f, String[] exprs, DayExtras days) {
        String expr = exprs[f];
        int lo = RANGES[f][0];
        int hi = RANGES[f][1];
        if (HASHED.matcher(expr).matches()) {
            throw new IllegalArgumentException(expr.startsWith("h")
                    ? "hashed values (H) need a hash id, which SQLMesh does not give croniter"
                    : "a random value (R) is drawn anew each time SQLMesh loads the project, so it cannot be known"
                            + " ahead; write the value");
        }
        if (expr.contains("?")) {
            if (!expr.equals("?")) {
                throw new IllegalArgumentException("'?' cannot be combined with other values");
            }
            if (f != DOM && f != DOW) {
                throw new IllegalArgumentException("'?' is only allowed in day-of-month or day-of-week");
            }
            expr = "*";
        }
        Deque<Object> work = new ArrayDeque<>(Arrays.asList((Object[]) expr.split(",", -1)));
        Set<Object> seen = new HashSet<>();
        BitSet bits = new BitSet();
        boolean star = false;
        boolean last = false;
        while (!work.isEmpty()) {
            Object item = work.removeLast();
            String e = item.toString();
            Integer nth = null;
            if (f == DOW) {
                Matcher special = NTH_WEEKDAY.matcher(e);
                if (special.matches()) {
                    if (special.group("he") != null) {
                        e = special.group("he");
                        nth = smallInt(special.group("last"));
                        if (nth < 1 || nth > 5) {
                            throw new IllegalArgumentException("'#" + special.group("last")
                                    + "' is not a week of the month (1-5)");
                        }
                    } else {
                        e = special.group("last");
                        nth = -1;
                    }
                }
            }
            Matcher nearest = f == DOM ? NEAREST_WEEKDAY.matcher(e) : null;
            if (nearest != null && nearest.matches()) {
                int wDay = smallInt(nearest.group(1) != null ? nearest.group(1) : nearest.group(2));
                if (wDay < 1 || wDay > 31) {
                    throw new IllegalArgumentException("nearest weekday day " + wDay + " is out of range 1-31");
                }
                if (!work.isEmpty() || !bits.isEmpty() || star || last) {
                    throw new IllegalArgumentException("'W' can only be used with a single day, not in a list or"
                            + " range");
                }
                days.nearestWeekdayTo = wDay;
                bits.set(wDay);
                continue;
            }
            String t = e.replaceFirst("^\\*(/.+)$", lo + "-" + hi + "$1");
            Matcher m = STEP_RANGE.matcher(t);
            boolean startWithStep = false;
            if (!m.matches()) {
                m = STEP_RANGE.matcher(e.replaceFirst("^(.+)/(.+)$", "$1-" + hi + "/$2"));
                startWithStep = m.matches();
            }
            if (m.matches()) {
                String lowText = m.group(1);
                String highText = f == DOM && m.group(2).equals("l") ? "31" : m.group(2);
                int step = m.group(4) == null ? 1 : smallInt(m.group(4));
                if (step == 0) {
                    throw new IllegalArgumentException("a step of 0 never advances");
                }
                int low = alias(f, number(f, lowText, true));
                int high = alias(f, number(f, highText, true));
                if (Math.max(low, high) > hi) {
                    throw new IllegalArgumentException(Math.max(low, high) + " is out of range " + lo + "-" + hi);
                }
                boolean startAtFieldMax = startWithStep && low == high;
                if (low == high && !startWithStep) {
                    // croniter: a range written with equal ends ("5-5", "jan-jan") is the whole cycle.
                    low = lo;
                    high = hi;
                }
                List<Integer> range = new ArrayList<>();
                if (startAtFieldMax) {
                    range.add(low);
                } else if (low > high) {
                    // Wraps around the field's end; croniter carries the step phase over with this offset.
                    for (long v = low; v <= hi; v += step) {
                        range.add((int) v);
                    }
                    int skip = 0;
                    if (!range.isEmpty()) {
                        int lastValue = range.get(range.size() - 1);
                        int alreadySkipped = hi - lastValue;
                        if ((long) (lastValue - lo) + step > hi - lo + 1 && alreadySkipped < step) {
                            skip = step - alreadySkipped;
                        }
                    }
                    for (long v = (long) lo + skip; v <= high; v += step) {
                        range.add((int) v);
                    }
                } else {
                    for (long v = low; v <= high; v += step) {
                        range.add((int) v);
                    }
                }
                for (Integer v : range) {
                    Object next = f == DOW && nth != null && nth > 0 ? v + "#" + nth : v;
                    if (seen.add(next)) {
                        work.add(next);
                    }
                }
            } else {
                if (t.startsWith("-")) {
                    throw new IllegalArgumentException("negative numbers are not allowed");
                }
                if (t.equals("*")) {
                    star = true;
                } else if (f == DOM && t.equals("l")) {
                    last = true;
                } else {
                    int v = alias(f, number(f, t, false));
                    if (v < lo || v > hi) {
                        throw new IllegalArgumentException(v + " is out of range " + lo + "-" + hi);
                    }
                    bits.set(v);
                    if (nth != null) {
                        days.nth.computeIfAbsent(v, k -> new TreeSet<>()).add(nth);
                    }
                }
            }
        }
        if (last) {
            days.last = true;
        }
        int count = bits.cardinality() + (star ? 1 : 0) + (last ? 1 : 0);
        boolean keepList = f == DOM && !exprs[DOW].contains("*") || f == DOW && !exprs[DOM].contains("*");
        boolean any = star || count == LEN_MEANS_ALL[f] && !keepList;
        return new Values(bits, any);
    }

    /** A field value: digits, or a month/weekday name in those fields. */
    private static int number(int f, String text, boolean band) {
        if (text.matches("\\d+")) {
            return smallInt(text);
        }
        List<String> names = f == MONTH ? MONTHS : f == DOW ? WEEKDAYS : List.of();
        int named = names.indexOf(text);
        if (named >= 0) {
            return named + (f == MONTH ? 1 : 0);
        }
        throw new IllegalArgumentException("'" + text + "' is not a number"
                + (names.isEmpty() ? "" : " or a name (" + String.join(", ", names) + ")")
                + (band ? " usable in a range" : ""));
    }

    /** Digits as an int; values past int range are out of every field's range anyway. */
    private static int smallInt(String digits) {
        String trimmed = digits.replaceFirst("^0+(?=.)", "");
        return trimmed.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(trimmed);
    }

    /** croniter reads day-of-week 7 as Sunday (0). */
    private static int alias(int f, int value) {
        return f == DOW && value == 7 ? 0 : value;
    }

    static List<String> aliasNames() {
        return List.of("@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually", "@midnight");
    }

    public String text() {
        return text;
    }

    /** The first tick strictly after {@code after}: at minute precision, or second precision with a seconds field. */
    public LocalDateTime next(LocalDateTime after) {
        Predicate<LocalDate> domPart = nearestWeekdayTo == 0 ? this::domMatches : this::nearestWeekdayMatches;
        Predicate<LocalDate> dowPart = nthWeekdays.isEmpty() ? d -> fields[DOW].has(weekday(d)) : this::nthMatches;
        if (!fields[DOM].any() && !fields[DOW].any()) {
            // Both day fields restricted: croniter (day_or) takes the earlier of a tick by day-of-month and a tick
            // by day-of-week. d#n, Ld and W are not cleared with their field, so each side keeps them; and then,
            // unlike the plain case, a side without a tick in croniter's window is an error.
            boolean plain = nthWeekdays.isEmpty() && nearestWeekdayTo == 0;
            LocalDateTime byDom = search(after, nthWeekdays.isEmpty() ? domPart : domPart.and(this::nthMatches));
            LocalDateTime byDow = search(after, nearestWeekdayTo == 0 ? dowPart
                    : dowPart.and(this::nearestWeekdayMatches));
            if (byDom == null && byDow == null || !plain && (byDom == null || byDow == null)) {
                throw neverFires(after);
            }
            return byDom == null ? byDow : byDow == null || byDom.isBefore(byDow) ? byDom : byDow;
        }
        LocalDateTime tick = search(after, d -> (fields[DOM].any() && nearestWeekdayTo == 0 || domPart.test(d))
                && (fields[DOW].any() && nthWeekdays.isEmpty() || dowPart.test(d)));
        if (tick == null) {
            throw neverFires(after);
        }
        return tick;
    }

    private IllegalArgumentException neverFires(LocalDateTime after) {
        return new IllegalArgumentException("cron '" + text + "' never fires after "
                + after.truncatedTo(ChronoUnit.SECONDS) + " (no date within " + MAX_YEARS_AHEAD + " years matches"
                + " its fields, so SQLMesh's cron library gives up too)");
    }

    /** The first tick after {@code after} on a day {@code day} accepts, or null within croniter's window. */
    private LocalDateTime search(LocalDateTime after, Predicate<LocalDate> day) {
        Values seconds = fields.length > SECOND ? fields[SECOND] : null;
        Values years = fields.length > YEAR ? fields[YEAR] : null;
        LocalDateTime t = seconds == null ? after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1)
                : after.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        int lastYear = t.getYear() + MAX_YEARS_AHEAD;
        while (t.getYear() <= lastYear) {
            if (years != null && !years.has(t.getYear())) {
                int year = years.bits().nextSetBit(t.getYear() + 1);
                if (year < 0) {
                    return null;
                }
                t = LocalDateTime.of(year, 1, 1, 0, 0);
            } else if (!fields[MONTH].has(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
            } else if (!day.test(t.toLocalDate())) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
            } else if (!fields[HOUR].has(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!fields[MINUTE].has(t.getMinute())) {
                t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            } else if (seconds != null && !seconds.has(t.getSecond())) {
                t = t.plusSeconds(1);
            } else {
                return t;
            }
        }
        return null;
    }

    private boolean domMatches(LocalDate date) {
        return fields[DOM].bits().get(date.getDayOfMonth())
                || lastDayOfMonth && date.getDayOfMonth() == date.lengthOfMonth();
    }

    /** croniter's nearest weekday (Monday-Friday) to the W day, never leaving the month. */
    private boolean nearestWeekdayMatches(LocalDate date) {
        int last = date.lengthOfMonth();
        int day = Math.min(nearestWeekdayTo, last);
        int weekday = date.withDayOfMonth(day).getDayOfWeek().getValue();
        int nearest = day;
        if (weekday == 6) {
            nearest = day > 1 ? day - 1 : day + 2;
        } else if (weekday == 7) {
            nearest = day < last ? day + 1 : day - 2;
        }
        return date.getDayOfMonth() == nearest;
    }

    private static int weekday(LocalDate date) {
        return date.getDayOfWeek().getValue() % 7;
    }

    private boolean nthMatches(LocalDate date) {
        Set<Integer> nths = nthWeekdays.get(weekday(date));
        if (nths == null) {
            return false;
        }
        return nths.contains((date.getDayOfMonth() - 1) / 7 + 1)
                || nths.contains(-1) && date.getDayOfMonth() + 7 > date.lengthOfMonth();
    }

    @Override
    public String toString() {
        return text;
    }
}
