package dev.sqlmeshdag.engine;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problem;
import dev.sqlmeshdag.core.Problems;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The checks SQLMesh makes when it loads a model that the engine cannot make alone: every project Python file
 * compiles, every {@code start}/{@code end} is a moment SQLMesh can read, and no start is after its end. Plain ISO
 * dates are read here; everything else is asked of Python (see {@link PythonCheck}).
 */
final class DateChecks {

    private DateChecks() {
    }

    static void check(Path root, List<String> pythonFiles, List<ModelAssembler.DateRange> ranges, Problems problems) {
        // A file the engine already refused (unreadable, not UTF-8, an unclosed bracket) is not reported twice.
        Set<String> refused = problems.errors().stream().map(Problem::location).filter(Objects::nonNull)
                .map(Location::file).collect(Collectors.toSet());
        List<String> files = pythonFiles.stream().filter(f -> !refused.contains(f)).toList();
        List<ModelAssembler.DateRange> sorted = ranges.stream()
                .sorted(Comparator.comparing((ModelAssembler.DateRange r) -> anyLocation(r).file())
                        .thenComparing(r -> anyLocation(r).line()))
                .toList();
        List<PythonCheck.DateValue> unread = sorted.stream().flatMap(r -> Stream.of(r.start(), r.end()))
                .filter(Objects::nonNull).filter(v -> isoMillis(v.value()) == null).toList();
        Map<String, PythonCheck.DateResult> sqlmesh = PythonCheck.run(root, files, unread, problems);
        Set<String> reported = new HashSet<>();
        for (ModelAssembler.DateRange range : sorted) {
            Long start = millis(range.start(), sqlmesh, problems, reported);
            Long end = millis(range.end(), sqlmesh, problems, reported);
            if (start != null && end != null && start > end) {
                problems.error(range.start().at(), "start '" + range.start().value() + "' is later than end '"
                        + range.end().value() + "'; SQLMesh refuses such a model, make start the earlier one");
            }
        }
    }

    private static Location anyLocation(ModelAssembler.DateRange range) {
        return range.start() != null ? range.start().at() : range.end() != null ? range.end().at()
                : new Location("", 0, 0);
    }

    private static Long millis(PythonCheck.DateValue value, Map<String, PythonCheck.DateResult> sqlmesh,
            Problems problems, Set<String> reported) {
        if (value == null) {
            return null;
        }
        Long iso = isoMillis(value.value());
        if (iso != null) {
            return iso;
        }
        PythonCheck.DateResult result = sqlmesh.get(value.value());
        if (result == null) {
            return null; // not checked (no Python); PythonCheck has said so
        }
        if (result.error() != null) {
            // A model_defaults value is wrong once, not once per model.
            String key = value.field().startsWith("model_defaults.") ? value.field() : value.field() + "@" + value.at();
            if (reported.add(key)) {
                problems.error(value.at(), "invalid " + value.field() + " '" + value.value() + "': " + result.error()
                        + " SQLMesh reads it with its date parser: write an ISO date such as '2024-01-01', epoch "
                        + "milliseconds, or a phrase such as '1 week ago'");
            }
            return null;
        }
        return result.millis();
    }

    /** Epoch milliseconds of an ISO date or date-time (read as UTC), or null for anything else. */
    static Long isoMillis(String value) {
        try {
            return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            // not a plain date
        }
        try {
            return LocalDateTime.parse(value.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
