package io.lem.cli.run;

import io.lem.runner.process.RunnerMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code lem runner}: one runner process, for other hosts and for torchrun/accelerate-style launchers. */
@Command(name = "runner",
        description = {"Run ONE process of an experiment (for other hosts; also reads RANK, WORLD_SIZE, LOCAL_RANK,",
                "LOCAL_WORLD_SIZE):",
                "  lem runner --config C --experiment-id ID --process-index I --num-processes N",
                "             [--local-rank R] [--local-world-size N] [--device cpu|gpu:N]",
                "             [--bootstrap-servers B | --events-file F]",
                "             [--client-properties F] [--plugins-dir D]... [--plugin-setting K=V]...",
                "             [--lem-home H] [--results-dir R]",
                "Exit 0 completed, 1 failed, 2 invalid input, 130 cancelled. 'lem runner --help' for details."})
public final class RunnerCommand implements Callable<Integer> {

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        return RunnerMain.run(args.toArray(String[]::new), System.getenv(), System.out, System.err, true);
    }
}
