package io.lem.cli.config;

import io.lem.cli.ExitCodes;
import io.lem.runner.config.ConfigException;
import io.lem.runner.config.ConfigLoader;
import io.lem.runner.config.ConfigProblem;
import io.lem.runner.config.ConfigRendering;
import io.lem.runner.config.ExperimentConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** {@code lem config validate|show}. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Experiment configuration: validate files, show the resolved config.",
        synopsisSubcommandLabel = "COMMAND")
public final class ConfigCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Validate experiment configs (YAML or JSON, with _extends inheritance).",
                    "Prints each problem as file:line: field: message. Exit 0 when all are valid, 2 otherwise."})
    int validate(@Parameters(paramLabel = "FILE", arity = "1..*", description = "Config files.") List<Path> files) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int invalid = 0;
        for (Path file : files) {
            List<ConfigProblem> problems = ConfigLoader.validate(file);
            if (problems.isEmpty()) {
                out.println(file + ": valid");
            } else {
                invalid++;
                problems.forEach(problem -> err.println(problem.oneLine()));
            }
        }
        out.flush();
        err.flush();
        if (invalid > 0 && files.size() > 1) {
            err.println(invalid + " of " + files.size() + " files invalid");
        }
        return invalid == 0 ? ExitCodes.OK : ExitCodes.INVALID_INPUT;
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Show the resolved config: inheritance applied, defaults filled in, secrets redacted."})
    int show(@Parameters(paramLabel = "FILE", description = "Config file.") Path file,
             @Option(names = "--json", description = "Print JSON instead of YAML.") boolean json) {
        ExperimentConfig config;
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigException e) {
            PrintWriter err = spec.commandLine().getErr();
            e.problems().forEach(problem -> err.println(problem.oneLine()));
            err.flush();
            return ExitCodes.INVALID_INPUT;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? ConfigRendering.toJson(config) : ConfigRendering.toYaml(config));
        out.flush();
        return ExitCodes.OK;
    }
}
