package dev.sqlmeshdag.core;

import java.util.List;
import java.util.stream.Collectors;

/** The project cannot be read; carries every error found, each with its file, line and column. */
public final class ProjectException extends RuntimeException {

    private final List<Problem> problems;

    public ProjectException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public ProjectException(Location location, String message) {
        this(List.of(Problem.error(location, message)));
    }

    public List<Problem> problems() {
        return problems;
    }
}
