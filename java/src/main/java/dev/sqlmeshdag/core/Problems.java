package dev.sqlmeshdag.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Collects every problem found while reading a project, so a user sees all of them at once
 * instead of fixing one file per run. Thread-safe: models are parsed in parallel.
 */
public final class Problems {

    private final List<Problem> items = Collections.synchronizedList(new ArrayList<>());

    public void error(Location location, String message) {
        items.add(Problem.error(location, message));
    }

    public void warning(Location location, String message) {
        items.add(Problem.warning(location, message));
    }

    public void add(Problem problem) {
        items.add(problem);
    }

    public void addAll(Problems other) {
        items.addAll(other.all());
    }

    public boolean hasErrors() {
        synchronized (items) {
            return items.stream().anyMatch(Problem::isError);
        }
    }

    /** All problems, sorted by file then line so output is stable across parallel runs. */
    public List<Problem> all() {
        synchronized (items) {
            List<Problem> copy = new ArrayList<>(items);
            copy.sort(Comparator.comparing((Problem p) -> p.location() == null ? "" : p.location().file())
                    .thenComparingInt(p -> p.location() == null ? 0 : p.location().line())
                    .thenComparingInt(p -> p.location() == null ? 0 : p.location().col()));
            return copy;
        }
    }

    public List<Problem> errors() {
        return all().stream().filter(Problem::isError).toList();
    }

    public List<Problem> warnings() {
        return all().stream().filter(p -> !p.isError()).toList();
    }

    /** Throws when any error was collected; warnings never stop a run. */
    public void throwIfErrors() {
        if (hasErrors()) {
            throw new ProjectException(errors());
        }
    }
}
