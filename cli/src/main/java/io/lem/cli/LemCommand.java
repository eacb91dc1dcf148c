package io.lem.cli;

import io.lem.cli.bench.BenchCommand;
import io.lem.cli.broker.BrokerCommand;
import io.lem.cli.config.ConfigCommand;
import io.lem.cli.events.EventsCommand;
import io.lem.cli.model.GenerateCommand;
import io.lem.cli.model.ModelCommand;
import io.lem.cli.plugins.PluginsCommand;
import io.lem.cli.results.AggregateCommand;
import io.lem.cli.results.ReplayCommand;
import io.lem.cli.results.ResultsCommand;
import io.lem.cli.run.RunCommand;
import io.lem.cli.run.RunnerCommand;
import io.lem.cli.serve.ServeCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root {@code lem} command. */
@Command(name = "lem",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "LLM Energy Measure: energy, time and compute of LLM inference, from one GPU to many hosts.",
        subcommands = {RunCommand.class, RunnerCommand.class, ConfigCommand.class, ServeCommand.class, ResultsCommand.class, AggregateCommand.class,
                ReplayCommand.class, GenerateCommand.class, BenchCommand.class, ModelCommand.class, PluginsCommand.class, EventsCommand.class, BrokerCommand.class,
                picocli.CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:the command failed (a process failed, Kafka unreachable, data incomplete)",
                "2:invalid input (unknown flag, bad value, invalid config file)",
                "130:interrupted (Ctrl-C); what was measured is kept"},
        footer = "%nRun 'lem COMMAND --help' for a command's options.")
public final class LemCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Log at INFO (lem at DEBUG) and print stack traces of errors.")
    void verbose(boolean on) {
        Verbosity.set(on);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
