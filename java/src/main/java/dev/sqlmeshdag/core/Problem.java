package dev.sqlmeshdag.core;

/** One thing wrong (or worth a warning) in a project file, phrased so a user can act on it. */
public record Problem(Severity severity, Location location, String message) {

    public enum Severity { ERROR, WARNING }

    public static Problem error(Location location, String message) {
        return new Problem(Severity.ERROR, location, message);
    }

    public static Problem warning(Location location, String message) {
        return new Problem(Severity.WARNING, location, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code file:line:col: message}, the form every command prints. */
    @Override
    public String toString() {
        return (location == null ? "<project>" : location.toString()) + ": "
                + (isError() ? "" : "warning: ") + message;
    }
}
