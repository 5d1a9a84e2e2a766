package dev.sqlmeshdag.cli;

import dev.sqlmeshdag.engine.LoadedProject;
import dev.sqlmeshdag.engine.ModelFilters;
import dev.sqlmeshdag.spec.SpecBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "spec", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Print the DAG spec (JSON) the Airflow side builds its tasks from.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0 ok, 1 project errors (no spec written), 2 usage error, 3 internal error"})
final class SpecCommand extends ProjectCommand {

    @Option(names = "--select", paramLabel = "SEL", description = "SQLMesh --select-model expression "
            + "(repeatable; e.g. sushi.orders, +sushi.orders, tag:finance, 'sushi.*').")
    List<String> select = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "SEL", description = "Leave these models out (repeatable).")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--model-pattern", paramLabel = "REGEX", description = "Keep the models whose name this "
            + "Python regular expression matches (re.search), after --select/--exclude.")
    String modelPattern;

    @Option(names = "--include-tag", paramLabel = "TAG", description = "Keep only models with one of these tags "
            + "(repeatable; exact, case-sensitive).")
    List<String> includeTags = new ArrayList<>();

    @Option(names = "--exclude-tag", paramLabel = "TAG", description = "Leave out models with one of these tags "
            + "(repeatable; exact, case-sensitive).")
    List<String> excludeTags = new ArrayList<>();

    @Option(names = "--model", paramLabel = "NAME", description = "Keep only these models, by name, fqn or task id "
            + "(repeatable; what create_tasks_in_dag(models=...) names).")
    List<String> models;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here (atomically) instead of "
            + "standard output.")
    Path output;

    @Override
    public Integer call() throws Exception {
        LoadedProject loaded = load(select, exclude,
                new ModelFilters(modelPattern, includeTags, excludeTags, models));
        int code = report(loaded);
        if (code == Main.OK) {
            write(SpecBuilder.toJson(SpecBuilder.build(loaded, project)) + "\n", output);
        }
        return code;
    }
}
