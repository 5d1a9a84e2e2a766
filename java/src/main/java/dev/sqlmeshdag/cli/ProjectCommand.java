package dev.sqlmeshdag.cli;

import dev.sqlmeshdag.bridge.Bridge;
import dev.sqlmeshdag.core.Problem;
import dev.sqlmeshdag.engine.Answers;
import dev.sqlmeshdag.engine.Engine;
import dev.sqlmeshdag.engine.LoadedProject;
import dev.sqlmeshdag.engine.ModelFilters;
import dev.sqlmeshdag.engine.Options;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** What the commands share: the project argument, loading, printing problems, writing output. */
abstract class ProjectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PROJECT", description = "The SQLMesh project folder.")
    Path project;

    @Mixin
    GatewayOption common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    LoadedProject load(List<String> select, List<String> exclude) {
        return load(select, exclude, ModelFilters.NONE);
    }

    LoadedProject load(List<String> select, List<String> exclude, ModelFilters filters) {
        return Engine.load(project, new Options(common.gateway, select, exclude, null, common.defaultCatalog,
                answers(), filters));
    }

    /** The --answers file (or standard input for '-'), read once the command line is valid. */
    private Answers answers() {
        if (common.answers == null) {
            return Answers.NONE;
        }
        try {
            String json = common.answers.equals("-")
                    ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(common.answers), StandardCharsets.UTF_8);
            return Bridge.answers(json);
        } catch (IOException | IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--answers " + common.answers + ": "
                    + (e instanceof IOException ? "cannot read it (" + e + ")" : e.getMessage()));
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Warnings always; errors too. Returns the exit code the problems call for. */
    int report(LoadedProject loaded) {
        for (Problem p : loaded.problems().all()) {
            err().println(p);
        }
        err().flush();
        return loaded.hasErrors() ? Main.PROJECT_ERRORS : Main.OK;
    }

    /** To stdout, or atomically to a file: a reader never sees half a document. */
    void write(String text, Path target) throws IOException {
        if (target == null) {
            out().print(text);
            out().flush();
            return;
        }
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The options every project command takes. */
    static final class GatewayOption {
        @CommandLine.Option(names = "--gateway", paramLabel = "G", description = "Gateway to read the project "
                + "for (default: the project's default_gateway, else its first).")
        String gateway;

        @CommandLine.Option(names = "--default-catalog", paramLabel = "CATALOG", description = "Catalog that "
                + "unqualified model names resolve to, instead of the one the gateway's connection implies.")
        String defaultCatalog;

        @CommandLine.Option(names = "--debug", description = "On an internal error, print its stack trace.")
        boolean debug;

        @CommandLine.Option(names = "--answers", paramLabel = "FILE", description = "SQLMesh's values for what the "
                + "engine cannot read statically (JSON; '-' for standard input). The Python package's sqlmesh-dag "
                + "computes them with SQLMesh and passes them here.")
        String answers;
    }
}
