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

    private static final Comparator<Problem> BY_PLACE = Comparator
            .comparing((Problem p) -> p.location() == null ? "" : p.location().file())
            .thenComparingInt(p -> p.location() == null ? 0 : p.location().line())
            .thenComparingInt(p -> p.location() == null ? 0 : p.location().col());

    private final List<Problem> items = Collections.synchronizedList(new ArrayList<>());
    private final List<Unresolved> unresolved = Collections.synchronizedList(new ArrayList<>());

    public void error(Location location, String message) {
        items.add(Problem.error(location, message));
    }

    public void warning(Location location, String message) {
        items.add(Problem.warning(location, message));
    }

    /**
     * A warning about a model value only Python can compute (a Python macro, an is_sql model's query, ...); the
     * model is still read as far as the engine can, and the spec lists it as unresolved.
     */
    public void unresolvedModel(Location location, String message) {
        Problem problem = Problem.warning(location, message);
        items.add(problem);
        unresolved.add(new Unresolved(Unresolved.Kind.MODEL, problem));
    }

    /** An error about a config value only Python can compute (a config.py expression); listed as unresolved. */
    public void unresolvedConfig(Location location, String message) {
        Problem problem = Problem.error(location, message);
        items.add(problem);
        unresolved.add(new Unresolved(Unresolved.Kind.CONFIG, problem));
    }

    /** The unresolved values, sorted as {@link #all()}. */
    public List<Unresolved> unresolved() {
        synchronized (unresolved) {
            List<Unresolved> copy = new ArrayList<>(unresolved);
            copy.sort(Comparator.comparing((Unresolved u) -> u.problem(), BY_PLACE));
            return copy;
        }
    }

    public void add(Problem problem) {
        items.add(problem);
    }

    public void addAll(Problems other) {
        items.addAll(other.all());
        unresolved.addAll(other.unresolved());
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
            copy.sort(BY_PLACE);
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
