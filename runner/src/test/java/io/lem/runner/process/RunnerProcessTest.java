package io.lem.runner.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.api.event.BatchCompleted;
import io.lem.api.event.BatchStarted;
import io.lem.api.event.EnergyReading;
import io.lem.api.event.FlopsEstimate;
import io.lem.api.event.LemEvent;
import io.lem.api.event.PluginInfo;
import io.lem.api.event.PowerSample;
import io.lem.api.event.PrefillCompleted;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.ProcessFailed;
import io.lem.api.event.ProcessStarted;
import io.lem.api.event.TokensGenerated;
import io.lem.runner.config.ExperimentConfig;
import io.lem.runner.events.EventSink;
import io.lem.runner.events.FileEventSink;
import io.lem.runner.prompts.PromptSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.lem.runner.process.RunnerTestSupport.ENV;
import static io.lem.runner.process.RunnerTestSupport.assertWellFormedStream;
import static io.lem.runner.process.RunnerTestSupport.ofType;
import static io.lem.runner.process.RunnerTestSupport.readEvents;
import static org.assertj.core.api.Assertions.assertThat;

/** One runner process end to end on the synthetic tiny llama, events written to a JSONL file. */
class RunnerProcessTest {

    private static final String HOST = "test-host";
    private static final String DEVICE_KEY = "const:" + HOST + ":0";

    /** Shared by the tests of this class so that the tiny model is synthesized once. */
    @TempDir
    static Path lemHome;

    @TempDir
    Path dir;

    private RunnerSettings.Builder settings(ExperimentConfig config, String experimentId, EventSink sink) {
        return RunnerSettings.builder(config, experimentId, sink).lemHome(lemHome).environment(ENV).host(HOST)
                .resultsDir(dir.resolve("results"));
    }

    @Test
    void aProcessRunsWarmUpAndMeasuredBatchesAndEmitsTheWholeStream() throws IOException {
        ExperimentConfig config = RunnerTestSupport.config(dir, String.join("\n",
                "num_input_prompts: 7",
                "batching_options:",
                "  batch_size: 2",
                "warmup_batches: 1",
                "save_outputs: true",
                ""));
        Path eventsFile = dir.resolve("events.jsonl");
        List<Progress> progress = new CopyOnWriteArrayList<>();
        // process 1 of 2: prompts 1, 3, 5 -> measured batches of 2 and 1, after one warm-up batch
        RunnerSettings s = settings(config, "exp-e2e", FileEventSink.open(eventsFile)).processIndex(1)
                .numProcesses(2).build();

        RunnerOutcome outcome = new RunnerProcess(s, progress::add).run();

        assertThat(outcome.error()).isNull();
        assertThat(outcome.status()).isEqualTo(RunnerOutcome.Status.COMPLETED);
        assertThat(outcome.exitCode()).isZero();
        assertThat(outcome.batches()).isEqualTo(2);
        assertThat(outcome.warmupBatches()).isEqualTo(1);

        List<LemEvent> events = readEvents(eventsFile);
        assertWellFormedStream(events, "exp-e2e", 1);

        // ProcessStarted first, describing the process and its plugins
        assertThat(events.get(0)).isInstanceOf(ProcessStarted.class);
        ProcessStarted started = (ProcessStarted) events.get(0);
        assertThat(started.numProcesses()).isEqualTo(2);
        assertThat(started.localRank()).isZero();
        assertThat(started.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(started.hostId()).isNotBlank();
        assertThat(started.cpuModel()).isNotBlank();
        assertThat(started.envelope().host()).isEqualTo(HOST);
        assertThat(started.devices()).extracting(d -> d.key()).containsExactly(DEVICE_KEY);
        assertThat(started.plugins()).extracting(PluginInfo::name).contains("constant-power", "flops");

        // ProcessCompleted last, totals over measured batches only
        ProcessCompleted completed = (ProcessCompleted) events.get(events.size() - 1);
        assertThat(completed.lastSeq()).isEqualTo(outcome.lastSeq());
        List<BatchCompleted> batchEnds = ofType(events, BatchCompleted.class);
        assertThat(batchEnds).extracting(BatchCompleted::batchIndex).containsExactly(0, 1, 2);
        assertThat(batchEnds).extracting(BatchCompleted::warmup).containsExactly(true, false, false);
        assertThat(ofType(events, BatchStarted.class)).extracting(BatchStarted::batchIndex, BatchStarted::warmup,
                BatchStarted::batchSize).containsExactly(org.assertj.core.groups.Tuple.tuple(0, true, 2),
                org.assertj.core.groups.Tuple.tuple(1, false, 2), org.assertj.core.groups.Tuple.tuple(2, false, 1));
        List<BatchCompleted> measured = batchEnds.stream().filter(b -> !b.warmup()).toList();
        assertThat(completed.batches()).isEqualTo(2);
        assertThat(completed.outputTokens()).isEqualTo(measured.stream().mapToLong(BatchCompleted::outputTokens).sum())
                .isEqualTo(outcome.outputTokens()).isPositive();
        assertThat(completed.inputTokens()).isEqualTo(measured.stream().mapToLong(BatchCompleted::inputTokens).sum())
                .isEqualTo(outcome.inputTokens()).isPositive();
        assertThat(completed.durationNanos()).isEqualTo(outcome.durationNanos()).isPositive();

        // per batch: BatchStarted -> PrefillCompleted -> TokensGenerated(1..k) -> BatchCompleted
        for (BatchCompleted end : batchEnds) {
            int b = end.batchIndex();
            List<LemEvent> ofBatch = events.stream().filter(e -> batchOf(e) == b).toList();
            assertThat(ofBatch.get(0)).isInstanceOf(BatchStarted.class);
            assertThat(ofBatch.get(1)).isInstanceOf(PrefillCompleted.class);
            int lastBatchEvent = ofBatch.indexOf(end);
            List<LemEvent> steps = ofBatch.subList(2, lastBatchEvent);
            assertThat(steps).allSatisfy(e -> assertThat(e).isInstanceOf(TokensGenerated.class));
            assertThat(steps).extracting(e -> ((TokensGenerated) e).step())
                    .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, steps.size()).boxed()
                            .toList());
            BatchStarted start = (BatchStarted) ofBatch.get(0);
            PrefillCompleted prefill = (PrefillCompleted) ofBatch.get(1);
            // steps are sent in a burst but each carries the instant it was reported, in order, inside the batch
            assertThat(steps).extracting(e -> e.envelope().monoNanos()).isSorted()
                    .allSatisfy(t -> assertThat(t).isBetween(prefill.envelope().monoNanos(),
                            end.envelope().monoNanos()));
            assertThat(prefill.inputTokens()).isEqualTo(start.inputTokens()).isEqualTo(end.inputTokens());
            assertThat(prefill.timeToFirstTokenNanos()).isPositive();
            assertThat(start.paddedInputTokens()).isGreaterThanOrEqualTo(start.inputTokens());
            long decoded = steps.stream().mapToLong(e -> ((TokensGenerated) e).tokenCount()).sum();
            assertThat(end.outputTokens()).as("one token per sequence from prefill, then one per running sequence "
                    + "per step").isEqualTo(start.batchSize() + decoded);
            assertThat(end.finishReasons().values().stream().mapToInt(Integer::intValue).sum())
                    .isEqualTo(start.batchSize());
            assertThat(end.finishReasons().keySet()).isSubsetOf("eos", "length");
            assertThat(end.durationNanos()).isGreaterThanOrEqualTo(end.prefillDurationNanos());
            // measured batches: analytic FLOPs methods and counted, after BatchCompleted; none for warm-up
            List<FlopsEstimate> flops = ofType(events, FlopsEstimate.class).stream()
                    .filter(f -> f.batchIndex() == b).toList();
            if (end.warmup()) {
                assertThat(flops).isEmpty();
                assertThat(readings(events, "batch-" + b)).isEmpty();
            } else {
                assertThat(flops).extracting(FlopsEstimate::method).contains("parameter", "architecture-dense",
                        "architecture-causal", "counted");
                assertThat(flops).allSatisfy(f -> {
                    assertThat(f.flops()).isPositive();
                    assertThat(f.tokens()).isEqualTo(end.inputTokens() + end.outputTokens());
                    assertThat(events.indexOf(f)).isGreaterThan(events.indexOf(end));
                });
                assertThat(readings(events, "batch-" + b)).singleElement().satisfies(r -> {
                    assertThat(r.deviceKey()).isEqualTo(DEVICE_KEY);
                    assertThat(events.indexOf(r)).isBetween(events.indexOf(start), events.indexOf(end));
                });
            }
        }

        // the run window: one reading per measured device, after the last batch, before ProcessCompleted
        assertThat(readings(events, "run")).singleElement().satisfies(r -> {
            assertThat(r.deviceKey()).isEqualTo(DEVICE_KEY);
            assertThat(r.method()).isEqualTo("model");
            assertThat(r.source()).isEqualTo("constant-power");
            assertThat(r.energyJoules()).isPositive();
            assertThat(events.indexOf(r)).isGreaterThan(events.indexOf(batchEnds.get(2)));
        });
        assertThat(ofType(events, PowerSample.class)).allSatisfy(p -> assertThat(p.deviceKey()).isEqualTo(DEVICE_KEY));

        // save_outputs: this process's prompts, experiment-wide indices, the generated text
        Path outputs = dir.resolve("results/outputs/exp-e2e/process_1.jsonl");
        assertThat(outcome.outputsFile()).isEqualTo(outputs);
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(outputs, StandardCharsets.UTF_8)) {
            lines.add(json.readTree(line));
        }
        List<String> prompts = PromptSet.load(null).texts();
        assertThat(lines).extracting(n -> n.get("promptIndex").asInt()).containsExactly(1, 3, 5);
        assertThat(lines).extracting(n -> n.get("prompt").asText())
                .containsExactly(prompts.get(1), prompts.get(3), prompts.get(5));
        assertThat(lines).extracting(n -> n.get("batchIndex").asInt()).containsExactly(1, 1, 2);
        assertThat(lines).allSatisfy(n -> {
            assertThat(n.get("text").isTextual()).isTrue();
            assertThat(n.get("finishReason").asText()).isIn("eos", "length");
            assertThat(n.get("outputTokens").asInt()).isBetween(1, 4);
        });
        assertThat(lines.stream().mapToLong(n -> n.get("outputTokens").asLong()).sum())
                .isEqualTo(completed.outputTokens());

        // progress: loaded, one warm-up batch, two measured batches
        assertThat(progress).extracting(Progress::phase, Progress::batch, Progress::batches).containsExactly(
                org.assertj.core.groups.Tuple.tuple("started", 0, 2), org.assertj.core.groups.Tuple.tuple("warmup", 1, 1),
                org.assertj.core.groups.Tuple.tuple("run", 1, 2), org.assertj.core.groups.Tuple.tuple("run", 2, 2));
        assertThat(progress.get(3).outputTokens()).isEqualTo(completed.outputTokens());
    }

    @Test
    void aModelThatDoesNotExistEndsTheStreamWithProcessFailed() throws IOException {
        ExperimentConfig config = RunnerTestSupport.config(dir, "num_input_prompts: 2\n");
        ExperimentConfig missingModel = withModel(config, "lem-synthetic/no-such-model");
        Path eventsFile = dir.resolve("events.jsonl");

        RunnerOutcome outcome = new RunnerProcess(settings(missingModel, "exp-missing",
                FileEventSink.open(eventsFile)).build()).run();

        assertThat(outcome.status()).isEqualTo(RunnerOutcome.Status.FAILED);
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.error()).startsWith("resolving model lem-synthetic/no-such-model: ")
                .contains("unknown synthetic model").doesNotContain("\n");
        List<LemEvent> events = readEvents(eventsFile);
        assertWellFormedStream(events, "exp-missing", 0);
        assertThat(events).singleElement().isInstanceOf(ProcessFailed.class);
        assertThat(((ProcessFailed) events.get(0)).reason()).isEqualTo(outcome.error());
        assertThat(outcome.lastSeq()).isZero();
    }

    @Test
    void aFailureMidRunKeepsEverythingEmittedBeforeIt() throws IOException {
        ExperimentConfig config = RunnerTestSupport.config(dir, "num_input_prompts: 3\n");
        Path eventsFile = dir.resolve("events.jsonl");
        FileEventSink file = FileEventSink.open(eventsFile);
        // the disk "fails" once, when the second measured batch completes
        EventSink failing = new EventSink() {
            boolean failed;

            @Override
            public void send(LemEvent event) {
                if (!failed && event instanceof BatchCompleted && ((BatchCompleted) event).batchIndex() == 1) {
                    failed = true;
                    throw new UncheckedIOException(new IOException("simulated disk failure"));
                }
                file.send(event);
            }

            @Override
            public void flush() {
                file.flush();
            }

            @Override
            public void close() {
                file.close();
            }
        };

        RunnerOutcome outcome = new RunnerProcess(settings(config, "exp-fail", failing).build()).run();

        assertThat(outcome.status()).isEqualTo(RunnerOutcome.Status.FAILED);
        assertThat(outcome.error()).isEqualTo("generating: java.io.IOException: simulated disk failure");
        List<LemEvent> events = readEvents(eventsFile);
        assertThat(events.get(0)).isInstanceOf(ProcessStarted.class);
        assertThat(((ProcessFailed) events.get(events.size() - 1)).reason()).isEqualTo(outcome.error());
        // the sink failed on the hand-off thread, after the refused event had its seq: the stream keeps everything
        // else and shows exactly that seq missing, which the aggregator reports as a gap
        List<Long> seqs = events.stream().map(e -> e.envelope().seq()).toList();
        long refused = ofType(events, BatchStarted.class).stream().filter(b -> b.batchIndex() == 1)
                .findFirst().orElseThrow().envelope().seq();
        assertThat(seqs).doesNotHaveDuplicates().isSorted().doesNotContain(-1L);
        List<Long> missing = java.util.stream.LongStream.rangeClosed(0, seqs.get(seqs.size() - 1)).boxed()
                .filter(q -> !seqs.contains(q)).toList();
        assertThat(missing).hasSize(1);
        assertThat(missing.get(0)).isGreaterThan(refused);
        // the refusal reaches the generation thread at its first safe point after the event thread met it: the
        // batches that ran meanwhile are in the stream
        assertThat(ofType(events, BatchCompleted.class)).extracting(BatchCompleted::batchIndex).startsWith(0)
                .doesNotContain(1);
        assertThat(ofType(events, BatchStarted.class)).extracting(BatchStarted::batchIndex).startsWith(0, 1);
        assertThat(outcome.batches()).as("the partial work").isGreaterThanOrEqualTo(1);
    }

    @Test
    void cancellingStopsAtTheNextBatchAndEndsTheStreamWithCancelled() throws IOException {
        ExperimentConfig config = RunnerTestSupport.config(dir, "num_input_prompts: 5\nwarmup_batches: 1\n");
        Path eventsFile = dir.resolve("events.jsonl");
        RunnerProcess[] holder = new RunnerProcess[1];
        RunnerProcess process = new RunnerProcess(settings(config, "exp-cancel", FileEventSink.open(eventsFile))
                .build(), p -> {
            if (p.phase().equals(Progress.RUN) && p.batch() == 1) {
                holder[0].cancel();
            }
        });
        holder[0] = process;

        RunnerOutcome outcome = process.run();

        assertThat(outcome.status()).isEqualTo(RunnerOutcome.Status.CANCELLED);
        assertThat(outcome.exitCode()).isEqualTo(130);
        assertThat(outcome.error()).isEqualTo("cancelled");
        assertThat(process.isFinished()).isTrue();
        List<LemEvent> events = readEvents(eventsFile);
        assertWellFormedStream(events, "exp-cancel", 0);
        assertThat(((ProcessFailed) events.get(events.size() - 1)).reason()).isEqualTo("cancelled");
        assertThat(ofType(events, BatchStarted.class)).extracting(BatchStarted::batchIndex).containsExactly(0, 1);
        assertThat(ofType(events, BatchCompleted.class)).extracting(BatchCompleted::batchIndex)
                .containsExactly(0, 1);
        // nothing lost: the run window is ended where the run stopped and reported, so the tokens of the batches done
        // come with what they drew; it closes after the last batch event and before the terminal event
        assertThat(readings(events, "run")).singleElement().satisfies(r -> {
            assertThat(r.deviceKey()).isEqualTo(DEVICE_KEY);
            assertThat(r.energyJoules()).isPositive();
            assertThat(r.windowDurationNanos()).isPositive();
            assertThat(events.indexOf(r)).isGreaterThan(events.indexOf(
                    ofType(events, BatchCompleted.class).get(1))).isLessThan(events.size() - 1);
        });
        assertThat(outcome.batches()).isEqualTo(1);
        assertThat(outcome.warmupBatches()).isEqualTo(1);
    }

    @Test
    void cancellingDuringTheIdleBaselineReturnsAtOnce() throws IOException {
        ExperimentConfig config = RunnerTestSupport.config(dir, "num_input_prompts: 1\n");
        ExperimentConfig longIdle = withIdleBaseline(config, 60);
        Path eventsFile = dir.resolve("events.jsonl");
        RunnerProcess[] holder = new RunnerProcess[1];
        RunnerProcess process = new RunnerProcess(settings(longIdle, "exp-idle", FileEventSink.open(eventsFile))
                .build(), p -> {
            if (p.phase().equals(Progress.STARTED)) {
                new Thread(() -> {
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    holder[0].cancel();
                }).start();
            }
        });
        holder[0] = process;
        long start = System.nanoTime();

        RunnerOutcome outcome = process.run();

        assertThat((System.nanoTime() - start) / 1e9).isLessThan(30);
        assertThat(outcome.status()).isEqualTo(RunnerOutcome.Status.CANCELLED);
        List<LemEvent> events = readEvents(eventsFile);
        assertWellFormedStream(events, "exp-idle", 0);
        assertThat(readings(events, "idle-baseline")).as("a cut-short baseline is discarded").isEmpty();
        assertThat(ofType(events, BatchStarted.class)).isEmpty();
    }

    @Test
    void aProcessWithoutPromptsCompletesWithoutBatches() throws IOException {
        ExperimentConfig config = RunnerTestSupport.config(dir, "num_input_prompts: 3\nwarmup_batches: 2\n");
        Path eventsFile = dir.resolve("events.jsonl");

        RunnerOutcome outcome = new RunnerProcess(settings(config, "exp-empty", FileEventSink.open(eventsFile))
                .processIndex(4).numProcesses(5).build()).run();

        assertThat(outcome.status()).isEqualTo(RunnerOutcome.Status.COMPLETED);
        List<LemEvent> events = readEvents(eventsFile);
        assertWellFormedStream(events, "exp-empty", 4);
        assertThat(events.get(0)).isInstanceOf(ProcessStarted.class);
        ProcessCompleted completed = (ProcessCompleted) events.get(events.size() - 1);
        assertThat(completed.batches()).isZero();
        assertThat(completed.outputTokens()).isZero();
        assertThat(completed.durationNanos()).isZero();
        assertThat(ofType(events, BatchStarted.class)).isEmpty();
        assertThat(ofType(events, EnergyReading.class)).isEmpty();
    }

    private static List<EnergyReading> readings(List<LemEvent> events, String window) {
        return ofType(events, EnergyReading.class).stream().filter(r -> r.window().equals(window)).toList();
    }

    /** The batch an event belongs to, or -1. */
    private static int batchOf(LemEvent e) {
        if (e instanceof BatchStarted) {
            return ((BatchStarted) e).batchIndex();
        }
        if (e instanceof PrefillCompleted) {
            return ((PrefillCompleted) e).batchIndex();
        }
        if (e instanceof TokensGenerated) {
            return ((TokensGenerated) e).batchIndex();
        }
        if (e instanceof BatchCompleted) {
            return ((BatchCompleted) e).batchIndex();
        }
        return -1;
    }

    private static ExperimentConfig withModel(ExperimentConfig c, String model) {
        return new ExperimentConfig(c.sourcePath(), c.configName(), model, c.revision(), c.isEncoderDecoder(),
                c.taskType(), c.inferenceType(), c.sourceLang(), c.targetLang(), c.maxInputTokens(),
                c.maxOutputTokens(), c.minOutputTokens(), c.numInputPrompts(), c.prompts(), c.saveOutputs(),
                c.gpuList(), c.numProcesses(), c.batchingOptions(), c.decoderConfig(), c.fpPrecision(),
                c.quantizationConfig(), c.seed(), c.warmupBatches(), c.kafka(), c.energy(), c.hfToken());
    }

    private static ExperimentConfig withIdleBaseline(ExperimentConfig c, double seconds) {
        io.lem.runner.config.EnergySettings e = c.energy();
        return new ExperimentConfig(c.sourcePath(), c.configName(), c.modelName(), c.revision(),
                c.isEncoderDecoder(), c.taskType(), c.inferenceType(), c.sourceLang(), c.targetLang(),
                c.maxInputTokens(), c.maxOutputTokens(), c.minOutputTokens(), c.numInputPrompts(), c.prompts(),
                c.saveOutputs(), c.gpuList(), c.numProcesses(), c.batchingOptions(), c.decoderConfig(),
                c.fpPrecision(), c.quantizationConfig(), c.seed(), c.warmupBatches(), c.kafka(),
                new io.lem.runner.config.EnergySettings(e.plugins(), e.excludePlugins(), e.samplingIntervalMs(),
                        seconds, e.carbonRegion(), e.pue()), c.hfToken());
    }
}
