package dev.sqlmeshdag.core;

/** A place in a project file, as users see it: path relative to the project root, 1-based line and column. */
public record Location(String file, int line, int col) {

    public static Location of(String file, int line) {
        return new Location(file, line, 1);
    }

    /** The same file, {@code lines} lines further down (for positions inside an embedded block). */
    public Location plusLines(int lines) {
        return new Location(file, line + lines, col);
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + col;
    }
}
