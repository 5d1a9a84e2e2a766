package dev.sqlmeshdag.cli;

import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Check the project; print every problem as file:line:col: message on standard error.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0 no errors (warnings may be printed), 1 project errors, 2 usage error, 3 internal error"})
final class ValidateCommand extends ProjectCommand {

    @Override
    public Integer call() {
        return report(load(List.of(), List.of()));
    }
}
