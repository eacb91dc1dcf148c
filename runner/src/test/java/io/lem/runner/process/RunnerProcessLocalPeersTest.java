package io.lem.runner.process;

import io.lem.api.event.BatchCompleted;
import io.lem.api.event.BatchStarted;
import io.lem.api.event.EnergyReading;
import io.lem.api.event.LemEvent;
import io.lem.api.event.ProcessFailed;
import io.lem.runner.config.ExperimentConfig;
import io.lem.runner.events.FileEventSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.lem.runner.process.RunnerTestSupport.ENV;
import static io.lem.runner.process.RunnerTestSupport.assertWellFormedStream;
import static io.lem.runner.process.RunnerTestSupport.ofType;
import static io.lem.runner.process.RunnerTestSupport.readEvents;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two runner processes of one experiment on one host (threads of this JVM, as far as the files go separate
 * processes): their run windows open and close together, however unequal their work.
 */
class RunnerProcessLocalPeersTest {

    private static final String HOST = "test-host";
    private static final String EXPERIMENT = "exp-peers";

    @TempDir
    static Path lemHome;

    @TempDir
    Path dir;

    /** Rank 1 generates 16 times the tokens of rank 0, in its warm-up batch and in its measured one. */
    private ExperimentConfig config(int rank) throws Exception {
        String tokens = rank == 0 ? "4" : "64";
        return RunnerTestSupport.config(dir.resolve("rank-" + rank), String.join("\n",
                "num_input_prompts: 4",
                "batching_options:",
                "  batch_size: 2",
                "warmup_batches: 1",
                "max_output_tokens: " + tokens,
                "min_output_tokens: " + tokens,
                ""));
    }

    private RunnerProcess process(int rank, ExperimentConfig config, Path events) throws IOException {
        RunnerSettings s = RunnerSettings.builder(config, EXPERIMENT, FileEventSink.open(events)).lemHome(lemHome)
                .environment(ENV).host(HOST).resultsDir(dir.resolve("results")).processIndex(rank).numProcesses(2)
                .localRank(rank).localWorldSize(2).build();
        return new RunnerProcess(s);
    }

    @Test
    void theRunWindowsOfAHostOpenAfterEveryWarmUpAndCloseAfterEveryLastBatch() throws Exception {
        Path events0 = dir.resolve("p0.jsonl");
        Path events1 = dir.resolve("p1.jsonl");
        RunnerProcess rank0 = process(0, config(0), events0);
        RunnerProcess rank1 = process(1, config(1), events1);

        CompletableFuture<RunnerOutcome> run0 = CompletableFuture.supplyAsync(rank0::run);
        CompletableFuture<RunnerOutcome> run1 = CompletableFuture.supplyAsync(rank1::run);
        RunnerOutcome outcome0 = run0.get(5, TimeUnit.MINUTES);
        RunnerOutcome outcome1 = run1.get(5, TimeUnit.MINUTES);

        assertThat(outcome0.error()).isNull();
        assertThat(outcome1.error()).isNull();
        assertThat(outcome0.completed()).isTrue();
        assertThat(outcome1.completed()).isTrue();
        List<LemEvent> e0 = readEvents(events0);
        List<LemEvent> e1 = readEvents(events1);
        assertWellFormedStream(e0, EXPERIMENT, 0);
        assertWellFormedStream(e1, EXPERIMENT, 1);

        // rank 0 (a quarter of a second of work) measured nothing while rank 1 was still warming up ...
        long rank1WarmedUp = lastEnd(e1, true);
        assertThat(firstStart(e0)).isGreaterThan(rank1WarmedUp);
        assertThat(firstStart(e1)).isGreaterThan(lastEnd(e0, true));
        // ... and its run window, whose joules are the host's in a real run, stayed open until rank 1's last batch
        EnergyReading window0 = runWindow(e0);
        long rank1Done = lastEnd(e1, false);
        assertThat(window0.envelope().timeEpochNanos()).isGreaterThan(rank1Done);
        assertThat(window0.windowDurationNanos())
                .isGreaterThanOrEqualTo(rank1Done - firstStart(e1));
        assertThat(runWindow(e1).envelope().timeEpochNanos()).isGreaterThan(lastEnd(e0, false));
        // both left the meeting
        Path meeting = LocalPeers.directory(lemHome, EXPERIMENT, HOST);
        assertThat(meeting.resolve("left-0")).exists();
        assertThat(meeting.resolve("left-1")).exists();
    }

    @Test
    void theLocalProcessesMeasureTheIdleBaselineTogetherAndNobodyWorksDuringIt() throws Exception {
        // rank 0 idles for 0.6 s, rank 1 for 0.05 s: rank 1 must not warm up while rank 0 still measures the host idle
        Path events0 = dir.resolve("p0.jsonl");
        Path events1 = dir.resolve("p1.jsonl");
        RunnerProcess rank0 = process(0, withIdleBaseline(config(0), "0.6"), events0);
        RunnerProcess rank1 = process(1, withIdleBaseline(config(1), "0.05"), events1);

        CompletableFuture<RunnerOutcome> run0 = CompletableFuture.supplyAsync(rank0::run);
        CompletableFuture<RunnerOutcome> run1 = CompletableFuture.supplyAsync(rank1::run);
        assertThat(run0.get(5, TimeUnit.MINUTES).completed()).isTrue();
        assertThat(run1.get(5, TimeUnit.MINUTES).completed()).isTrue();

        List<LemEvent> e0 = readEvents(events0);
        List<LemEvent> e1 = readEvents(events1);
        EnergyReading idle0 = window(e0, "idle-baseline");
        EnergyReading idle1 = window(e1, "idle-baseline");
        long idle0Start = idle0.envelope().timeEpochNanos() - idle0.windowDurationNanos();
        assertThat(firstWarmUpStart(e1)).isGreaterThan(idle0.envelope().timeEpochNanos());
        assertThat(firstWarmUpStart(e0)).isGreaterThan(idle1.envelope().timeEpochNanos());
        // and they started idling together, after both had loaded their models (ProcessStarted)
        assertThat(idle0Start).isGreaterThan(e1.get(0).envelope().timeEpochNanos());
    }

    private ExperimentConfig withIdleBaseline(ExperimentConfig config, String seconds) throws Exception {
        return RunnerTestSupport.config(dir.resolve("idle-" + seconds), String.join("\n",
                "num_input_prompts: 4",
                "batching_options:",
                "  batch_size: 2",
                "warmup_batches: 1",
                "max_output_tokens: " + config.maxOutputTokens(),
                "min_output_tokens: " + config.minOutputTokens(),
                "energy:",
                "  plugins: [constant-power]",
                "  sampling_interval_ms: 20",
                "  idle_baseline_seconds: " + seconds,
                ""));
    }

    private static long firstWarmUpStart(List<LemEvent> events) {
        return ofType(events, BatchStarted.class).stream().filter(BatchStarted::warmup)
                .mapToLong(b -> b.envelope().timeEpochNanos()).min().orElseThrow();
    }

    @Test
    void aLocalProcessThatFailsDoesNotHoldTheOthersUp() throws Exception {
        ExperimentConfig broken = RunnerTestSupport.config(dir.resolve("broken"), String.join("\n",
                "prompts:",
                "  file: " + dir.resolve("no-such-prompts.txt"),
                ""));
        RunnerProcess rank0 = process(0, config(0), dir.resolve("p0.jsonl"));
        RunnerProcess rank1 = process(1, broken, dir.resolve("p1.jsonl"));

        CompletableFuture<RunnerOutcome> run0 = CompletableFuture.supplyAsync(rank0::run);
        RunnerOutcome outcome1 = rank1.run();
        RunnerOutcome outcome0 = run0.get(5, TimeUnit.MINUTES);

        assertThat(outcome1.status()).isEqualTo(RunnerOutcome.Status.FAILED);
        assertThat(outcome1.error()).contains("no-such-prompts.txt");
        assertThat(outcome0.error()).isNull();
        assertThat(outcome0.completed()).isTrue();
        assertThat(outcome0.batches()).isEqualTo(1);
    }

    @Test
    void cancelledWhileWaitingForItsPeersAProcessStillReportsItsRunWindow() throws Exception {
        Path events = dir.resolve("p0.jsonl");
        RunnerProcess rank0 = process(0, config(0), events);
        Path meeting = LocalPeers.directory(lemHome, EXPERIMENT, HOST);
        // rank 1 joins and warms up, as far as the files go, and then never finishes
        try (LocalPeers rank1 = LocalPeers.join(meeting, 1, 2)) {
            CompletableFuture<LocalPeers.Meeting> rank1Start = CompletableFuture.supplyAsync(() -> {
                try {
                    LocalPeers.Meeting start = rank1.meet(LocalPeers.START, () -> false);
                    rank1.meet(LocalPeers.OPEN, () -> false);
                    return start;
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            CompletableFuture<RunnerOutcome> run0 = CompletableFuture.supplyAsync(rank0::run);
            assertThat(rank1Start.get(5, TimeUnit.MINUTES).without()).isEmpty();
            awaitFile(meeting.resolve("end-0")); // rank 0 generated its batch and waits for rank 1

            rank0.cancel(); // Ctrl-C

            RunnerOutcome outcome = run0.get(5, TimeUnit.MINUTES);
            assertThat(outcome.status()).isEqualTo(RunnerOutcome.Status.CANCELLED);
            assertThat(outcome.batches()).isEqualTo(1);
            List<LemEvent> e0 = readEvents(events);
            assertWellFormedStream(e0, EXPERIMENT, 0);
            // its batch was done: the window's joules are reported, not lost with the cancellation
            assertThat(runWindow(e0).envelope().timeEpochNanos()).isGreaterThan(lastEnd(e0, false));
            assertThat(e0.get(e0.size() - 1)).isInstanceOfSatisfying(ProcessFailed.class,
                    f -> assertThat(f.reason()).isEqualTo(RunnerProcess.CANCELLED_REASON));
        }
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!Files.exists(file)) {
            assertThat(System.nanoTime()).as("waiting for %s", file).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static long firstStart(List<LemEvent> events) {
        return ofType(events, BatchStarted.class).stream().filter(b -> !b.warmup())
                .mapToLong(b -> b.envelope().timeEpochNanos()).min().orElseThrow();
    }

    private static long lastEnd(List<LemEvent> events, boolean warmup) {
        return ofType(events, BatchCompleted.class).stream().filter(b -> b.warmup() == warmup)
                .mapToLong(b -> b.envelope().timeEpochNanos()).max().orElseThrow();
    }

    private static EnergyReading runWindow(List<LemEvent> events) {
        return window(events, "run");
    }

    private static EnergyReading window(List<LemEvent> events, String name) {
        List<EnergyReading> readings = ofType(events, EnergyReading.class).stream()
                .filter(r -> r.window().equals(name)).toList();
        assertThat(readings).hasSize(1);
        return readings.get(0);
    }
}
