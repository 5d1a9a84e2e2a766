package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.ProjectConfig;
import java.nio.file.Path;

/** Reads a project's configuration the way SQLMesh does (config files, gateways, defaults, external models). */
public final class ProjectLoader {

    private ProjectLoader() {
    }

    /**
     * @param root    the project folder
     * @param gateway the gateway to use, or null for SQLMesh's default gateway rule
     * @param problems where every problem found is recorded (with file and line)
     */
    public static ProjectConfig load(Path root, String gateway, Problems problems) {
        throw new UnsupportedOperationException("TODO");
    }
}
