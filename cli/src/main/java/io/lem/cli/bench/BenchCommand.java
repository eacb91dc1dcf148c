package io.lem.cli.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lem bench}: measurements of lem's own engine. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = BenchGenerateCommand.class,
        description = "Benchmarks of lem's inference engine on this machine.",
        synopsisSubcommandLabel = "COMMAND")
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
