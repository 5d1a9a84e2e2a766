package dev.sqlmeshdag.cli;

import dev.sqlmeshdag.engine.LoadedProject;
import dev.sqlmeshdag.spec.GraphFormats;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "graph", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Print the model graph as JSON (comparable with SQLMesh's Context.models), DOT or Mermaid.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0 ok, 1 project errors, 2 usage error, 3 internal error"})
final class GraphCommand extends ProjectCommand {

    @Option(names = "--format", required = true, paramLabel = "FORMAT",
            description = "json, dot or mermaid (valid values: ${COMPLETION-CANDIDATES}).",
            converter = FormatConverter.class, completionCandidates = FormatConverter.Names.class)
    GraphFormats.Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here (atomically) instead of "
            + "standard output.")
    Path output;

    @Override
    public Integer call() throws Exception {
        LoadedProject loaded = load(List.of(), List.of());
        int code = report(loaded);
        if (code == 0) {
            write(GraphFormats.render(loaded.graph(), loaded.selected(), format), output);
        }
        return code;
    }

    /** Lower-case names on the command line. */
    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<GraphFormats.Format> {
        @Override
        public GraphFormats.Format convert(String value) {
            try {
                return GraphFormats.Format.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value
                        + "' is not a format; use json, dot or mermaid");
            }
        }

        static final class Names extends java.util.ArrayList<String> {
            Names() {
                super(List.of("json", "dot", "mermaid"));
            }
        }
    }
}
