package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.ProjectConfig;
import dev.sqlmeshdag.core.ProjectException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A project folder written file by file, loaded with a pinned environment instead of the machine's. */
final class TestProject {

    final Path root;
    final Map<String, String> env = new HashMap<>();
    final Problems problems = new Problems();
    private final Path home;

    TestProject(Path dir) {
        this.root = dir.resolve("project");
        this.home = dir.resolve("sqlmesh-home");
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    TestProject file(String path, String text) {
        return write(root.resolve(path), text);
    }

    TestProject personal(String path, String text) {
        return write(home.resolve(path), text);
    }

    TestProject env(String name, String value) {
        env.put(name, value);
        return this;
    }

    ProjectConfig load() {
        return load(null);
    }

    ProjectConfig load(String gateway) {
        return ProjectLoader.load(root, gateway, problems, new Environment(env, home));
    }

    /** Loads, expecting failure; returns every message joined, each prefixed by file:line:col. */
    String failure(String gateway) {
        try {
            ProjectConfig config = load(gateway);
            throw new AssertionError("expected the project to be rejected, got " + config);
        } catch (ProjectException e) {
            return e.getMessage();
        }
    }

    String failure() {
        return failure(null);
    }

    String warnings() {
        return String.join("\n", problems.warnings().stream().map(Object::toString).toList());
    }

    private TestProject write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    static final String DUCKDB = """
            gateways:
              local:
                connection:
                  type: duckdb
                  database: db.duckdb
            model_defaults:
              dialect: duckdb
            """;
}
