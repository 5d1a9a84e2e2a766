package dev.sqlmeshdag.engine;

import dev.sqlmeshdag.core.ProjectConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * SHA-256 over every file the engine read (path and bytes, sorted by relative path) and the options, so a
 * cache can tell a stale spec from a fresh one.
 */
final class Fingerprint {

    private final Map<String, byte[]> files = new TreeMap<>();

    synchronized void add(String relativePath, byte[] bytes) {
        files.put(relativePath, bytes);
    }

    /** Config, macros and external-model files: read by the project loader, hashed here. */
    void addProjectFiles(ProjectConfig config) {
        Path root = config.root().toAbsolutePath().normalize();
        if (config.configFile() != null && !config.configFile().isBlank()) {
            addIfFile(root, root.resolve(config.configFile()));
        }
        for (String name : List.of("external_models.yaml", "external_models.yml", "schema.yaml", ".env")) {
            addIfFile(root, root.resolve(name));
        }
        for (String dir : List.of("macros", "external_models")) {
            Path folder = root.resolve(dir);
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(folder)) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> !p.toString().contains("__pycache__"))
                        .forEach(p -> addIfFile(root, p));
            } catch (IOException e) {
                add(SourceFiles.relative(root, folder), e.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void addIfFile(Path root, Path file) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            add(SourceFiles.relative(root, file), Files.readAllBytes(file));
        } catch (IOException e) {
            // An unreadable file still changes the fingerprint, so the cache is not trusted.
            add(SourceFiles.relative(root, file), e.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    synchronized String hex(Options opts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(Long.toString(e.getValue().length).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(e.getValue());
            }
            String options = "gateway=" + opts.gateway() + "\0select=" + String.join("\u0001", opts.select())
                    + "\0exclude=" + String.join("\u0001", opts.exclude()) + opts.filters().describe()
                    + "\0engine=" + Engine.VERSION;
            if (!opts.answers().equals(Answers.NONE)) {
                // SQLMesh's answers stand in for what the files say, so they are part of what was read.
                options += "\0config=" + opts.answers().config() + "\0models="
                        + new java.util.TreeMap<>(opts.answers().models());
            }
            sha.update(options.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
