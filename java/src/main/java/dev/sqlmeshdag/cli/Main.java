package dev.sqlmeshdag.cli;

import dev.sqlmeshdag.engine.Engine;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code sqlmesh-dag}: reads a SQLMesh project and prints its spec, its graph, or its problems. */
@Command(name = "sqlmesh-dag",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Reads a SQLMesh project the way SQLMesh loads it and describes it for Apache Airflow.",
        subcommands = {SpecCommand.class, GraphCommand.class, ValidateCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success",
                "  1  the project has errors (each printed as file:line:col: message)",
                "  2  usage error (unknown option, missing argument)",
                "  3  internal error (run again with --debug for the stack trace)"})
public final class Main implements Runnable {

    public static final int OK = 0;
    public static final int PROJECT_ERRORS = 1;
    public static final int USAGE = 2;
    public static final int INTERNAL = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: use spec, graph or validate");
    }

    /** Shared by every command so each `--version` answers the same. */
    public static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sqlmesh-dag " + Engine.VERSION};
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code (tests call this instead of main). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        int code = configure(new CommandLine(new Main()), out, err).execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Exit codes and messages for usage and internal errors, the same for every command. */
    static CommandLine configure(CommandLine cli, PrintWriter out, PrintWriter err) {
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> INTERNAL);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean debug = parseResult.originalArgs().contains("--debug");
            commandLine.getErr().println("sqlmesh-dag: internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse(""))
                    + (debug ? "" : " (run again with --debug to see the stack trace)"));
            if (debug) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return INTERNAL;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("sqlmesh-dag: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            c.getErr().flush();
            return USAGE;
        });
        return cli;
    }
}
