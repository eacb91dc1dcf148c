package io.lem.cli.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.aggregator.app.AggregatorApp;
import io.lem.aggregator.app.AggregatorSettings;
import io.lem.aggregator.http.ResultsClient;
import io.lem.broker.BrokerSettings;
import io.lem.broker.EmbeddedKafka;
import io.lem.broker.testing.KafkaTestBroker;
import io.lem.cli.CliRun;
import io.lem.cli.ExitCodes;
import io.lem.cli.LemHome;
import io.lem.cli.kafka.KafkaConnection;
import io.lem.runner.events.EventLogVerifier;
import io.lem.runner.events.KafkaTarget;
import io.lem.runner.measure.BackgroundPriority;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code lem run} end to end: two runner JVMs on the synthetic model against a real broker, an aggregator started for
 * the run, the summary printed and results exported; per-process and aggregated results must agree.
 */
class RunCommandTest {

    private static final Path QUICKSTART = Path.of(System.getProperty("user.dir"))
            .resolveSibling("configs").resolve("quickstart.yaml").toAbsolutePath();
    private static final Pattern EXPERIMENT = Pattern.compile("experiment (exp_\\S+):");

    @TempDir
    static Path dir;
    private static KafkaTestBroker kafka;
    private static String previousHome; // the build's own (pom.xml), so no test writes to ~/.lem

    @BeforeAll
    static void start() {
        previousHome = System.setProperty("lem.home", dir.resolve("home").toString());
        kafka = KafkaTestBroker.start(dir);
    }

    @AfterAll
    static void stop() {
        kafka.close();
        if (previousHome == null) {
            System.clearProperty("lem.home");
        } else {
            System.setProperty("lem.home", previousHome);
        }
    }

    @Test
    void theEncoderDecoderQuickstartRunsEndToEnd() throws Exception {
        Path config = Files.writeString(dir.resolve("small-t5.yaml"), "_extends: \""
                + QUICKSTART.resolveSibling("quickstart-t5.yaml") + "\"\n"
                + "config_name: small-t5\nnum_input_prompts: 4\nmax_output_tokens: 3\nmin_output_tokens: 3\n"
                + "batching_options:\n  batch_size: 2\nenergy:\n  plugins: [ram-model]\nsave_outputs: true\n");
        Path results = dir.resolve("results-t5");
        CliRun run = CliRun.of("run", config.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--aggregator-url", "http://127.0.0.1:" + freePort(), "--results-dir", results.toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        Matcher m = EXPERIMENT.matcher(run.out());
        assertThat(m.find()).isTrue();
        assertThat(run.out()).contains("status       completed: 1 of 1 processes completed");
        JsonNode p0 = new ObjectMapper().readTree(results.resolve("raw").resolve(m.group(1))
                .resolve("process_0.json").toFile());
        // 4 sentences x exactly 3 tokens (min = max)
        assertThat(p0.path("output_tokens").asLong()).isEqualTo(12);
        // save_outputs: the generated texts, one line per prompt, and the summary says where
        Path outputs = results.resolve("outputs").resolve(m.group(1));
        assertThat(run.out()).contains("outputs: " + outputs + " (the generated texts, 1 file(s): save_outputs)");
        assertThat(Files.readAllLines(outputs.resolve("process_0.jsonl"))).hasSize(4);
    }

    @Test
    void twoProcessesEndToEndAgreeWithTheAggregate() throws Exception {
        Path config = Files.writeString(dir.resolve("small.yaml"), "_extends: \"" + QUICKSTART + "\"\n"
                + "config_name: small\nnum_input_prompts: 6\nmax_output_tokens: 16\nbatching_options:\n"
                + "  batch_size: 2\nenergy:\n  plugins: [ram-model]\n");
        Path results = dir.resolve("results");
        CliRun run = CliRun.of("run", config.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--aggregator-url", "http://127.0.0.1:" + freePort(), "--results-dir", results.toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        Matcher m = EXPERIMENT.matcher(run.out());
        assertThat(m.find()).isTrue();
        String id = m.group(1);
        assertThat(run.out()).contains("status       completed: 2 of 2 processes completed",
                "results: " + results.resolve("aggregated").resolve(id + ".json"));

        ObjectMapper json = new ObjectMapper();
        JsonNode experiment = json.readTree(results.resolve("aggregated").resolve(id + ".json").toFile());
        JsonNode p0 = json.readTree(results.resolve("raw").resolve(id).resolve("process_0.json").toFile());
        JsonNode p1 = json.readTree(results.resolve("raw").resolve(id).resolve("process_1.json").toFile());

        // the summary waited for the experiment view to fold each runner's last event
        assertThat(experiment.path("processes")).extracting(r -> r.path("last_seq").asLong())
                .containsExactly(p0.path("last_seq").asLong(), p1.path("last_seq").asLong());
        assertThat(p0.path("last_seq").asLong()).isPositive();

        // tokens: 6 prompts x at most 16 new tokens, split 3/3 over the processes, sums agree
        long out0 = p0.path("output_tokens").asLong();
        long out1 = p1.path("output_tokens").asLong();
        assertThat(out0).isPositive().isLessThanOrEqualTo(48);
        assertThat(out1).isPositive().isLessThanOrEqualTo(48);
        assertThat(experiment.path("output_tokens").asLong()).isEqualTo(out0 + out1);
        assertThat(experiment.path("input_tokens").asLong())
                .isEqualTo(p0.path("input_tokens").asLong() + p1.path("input_tokens").asLong());
        // one wall-clock window: tokens / (last end - first start), not a mean of the two rates
        assertThat(experiment.path("tokens_per_second").asDouble()).isCloseTo(
                (out0 + out1) / experiment.path("wall_time_s").asDouble(), within(1e-6));
        // host-level energy once: both processes run on this host, only local rank 0 measures ram-model
        assertThat(experiment.path("energy_by_device").size()).isEqualTo(1);
        assertThat(experiment.path("duplicate_device_keys").isMissingNode()).isTrue();
        assertThat(experiment.path("total_energy_j").asDouble()).isPositive();
        // ... over the whole window: the two runners opened and closed their run windows together, so local rank 0's
        // meter also covered the batches of process 1
        JsonNode ram = experiment.path("energy_by_device").elements().next();
        assertThat(ram.path("window_s").asDouble()).isPositive();
        assertThat(ram.path("window_coverage").asDouble()).isGreaterThanOrEqualTo(0.9);
        assertThat(experiment.path("energy_partial_devices").isMissingNode()).isTrue();
        // memory on a CPU run: each runner's resident set at its peak, the larger one as peak_memory_mb
        List<String> memoryKeys = new ArrayList<>();
        experiment.path("peak_memory_mb_by_device").fieldNames().forEachRemaining(memoryKeys::add);
        assertThat(memoryKeys).hasSize(2).allMatch(k -> k.startsWith("rss:"))
                .anyMatch(k -> k.endsWith(":process-0")).anyMatch(k -> k.endsWith(":process-1"));
        assertThat(experiment.path("peak_memory_mb").asDouble()).isGreaterThan(50)
                .isEqualTo(Math.max(experiment.path("peak_memory_mb_by_device").get(memoryKeys.get(0)).asDouble(),
                        experiment.path("peak_memory_mb_by_device").get(memoryKeys.get(1)).asDouble()));
        // the event log is complete: every process (and the launcher) exactly once
        var report = new EventLogVerifier(KafkaTarget.of(kafka.bootstrapServers())).verify(id);
        assertThat(report.exact()).isTrue();
        assertThat(report.keys()).containsKeys(id + "/-1", id + "/0", id + "/1");

        // an id names one run: used again, it is refused before anything starts ...
        CliRun again = CliRun.of("run", config.toString(), "--experiment-id", id, "--bootstrap-servers",
                kafka.bootstrapServers(), "--results-dir", results.toString());
        assertThat(again.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(again.err()).contains("--experiment-id " + id + " is already used ("
                + results.resolve("aggregated").resolve(id + ".json") + " exists)").hasLineCount(1);
        // ... also where no results were exported, when the aggregator knows it
        try (AggregatorApp aggregator = AggregatorApp.start(AggregatorSettings.defaults(kafka.bootstrapServers())
                .withStateDir(dir.resolve("reuse-state")).withApplicationId("lem-reuse-check")
                .withBind("127.0.0.1", 0))) {
            ResultsClient client = new ResultsClient(aggregator.httpUrl(), null, Duration.ofSeconds(5));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!client.get("/experiments/" + id).ok() && System.nanoTime() < deadline) {
                Thread.sleep(100); // polls until the aggregator has folded the topic
            }
            CliRun elsewhere = CliRun.of("run", config.toString(), "--experiment-id", id, "--bootstrap-servers",
                    kafka.bootstrapServers(), "--aggregator-url", aggregator.httpUrl().toString(), "--results-dir",
                    dir.resolve("other-results").toString());
            assertThat(elsewhere.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
            assertThat(elsewhere.err()).contains("is already used (the aggregator at " + aggregator.httpUrl()
                    + " has results for it)");
        }
        assertThat(new EventLogVerifier(KafkaTarget.of(kafka.bootstrapServers())).verify(id).exact()).isTrue();
    }

    @Test
    void theSummaryWaitsUntilTheViewHasFoldedWhatEachRunnerSent() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode view = json.readTree("{\"processes\": [{\"process_index\": 0, \"last_seq\": 64},"
                + " {\"process_index\": 1, \"last_seq\": 40}]}");
        assertThat(RunCommand.behind(view, java.util.Map.of(0, 64L, 1, 40L))).isEmpty();
        assertThat(RunCommand.behind(view, java.util.Map.of(0, 64L, 1, 64L))).as("process 1 behind")
                .containsExactly("process 1 at seq 40 of 64");
        assertThat(RunCommand.behind(view, java.util.Map.of(2, 0L))).as("process 2 not in the view")
                .containsExactly("process 2 not seen");
        assertThat(RunCommand.behind(view, java.util.Map.of())).as("no runner reported").isEmpty();
    }

    @Test
    void whatTheViewStillLacksIsNamed() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode done = json.readTree("{\"status\": \"completed\", \"processes_seen\": 2, \"launcher_status\":"
                + " \"completed\", \"processes\": [{\"process_index\": 0, \"last_seq\": 64},"
                + " {\"process_index\": 1, \"last_seq\": 64}]}");
        assertThat(RunCommand.notYetFolded(done, 2, java.util.Map.of(0, 64L, 1, 64L))).isNull();
        JsonNode lagging = json.readTree("{\"status\": \"running\", \"processes_seen\": 1, \"processes\":"
                + " [{\"process_index\": 0, \"last_seq\": 40}]}");
        assertThat(RunCommand.notYetFolded(lagging, 2, java.util.Map.of(0, 64L, 1, 12L)))
                .isEqualTo("1 of 2 processes seen, still running, the launcher's end not folded, "
                        + "process 0 at seq 40 of 64, process 1 not seen");
    }

    @Test
    void theExportAgainHintCarriesWhatTheRunUsed() {
        Path results = Path.of("results");
        assertThat(RunCommand.exportAgain("exp_a", null, null, results)).isEqualTo("lem aggregate exp_a --force");
        assertThat(RunCommand.exportAgain("exp_a", null, "kafka-1:9092", Path.of("out")))
                .isEqualTo("lem aggregate exp_a --force --bootstrap-servers kafka-1:9092 --results-dir out");
        assertThat(RunCommand.exportAgain("exp_a", URI.create("http://127.0.0.1:7070"), "kafka-1:9092", results))
                .as("lem serve at the default address").isEqualTo("lem aggregate exp_a --force");
        assertThat(RunCommand.exportAgain("exp_a", URI.create("http://host-a:7070"), null, results))
                .isEqualTo("lem aggregate exp_a --force --aggregator-url http://host-a:7070");
    }

    @Test
    void invalidConfigIsRefusedBeforeAnythingStarts() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "config_name: x\nmodel_name: y\nnum_processes: 0\n");
        CliRun run = CliRun.of("run", bad.toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err()).contains(bad + ":3: num_processes:");
    }

    @Test
    void aBadPromptsFileIsRefusedBeforeAnythingStarts() throws Exception {
        Path prompts = Files.writeString(dir.resolve("bad-prompts.jsonl"), "{\"prompt\": \"hello\"}\n{\"prompt\": 3}\n");
        // a broker nobody listens on: the error must come before any connection is tried
        CliRun run = CliRun.of("run", QUICKSTART.toString(), "--prompts", prompts.toString(), "--bootstrap-servers",
                "127.0.0.1:1", "--results-dir", dir.resolve("bad-prompts-results").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err()).isEqualTo("lem: " + prompts + ":2: \"prompt\" must be a string, got a number"
                + System.lineSeparator());
        assertThat(dir.resolve("bad-prompts-results")).doesNotExist();
    }

    @Test
    void aRunBesideAnotherThatHoldsTheEmbeddedBrokerIsToldToUseLemServe() throws Exception {
        assumeFalse(listening(9092), "a broker answers on 127.0.0.1:9092: lem run would use it");
        // what a lem run without Kafka settings holds while it runs: the embedded broker on LEM_HOME/kafka
        try (EmbeddedKafka other = EmbeddedKafka.start(BrokerSettings.defaults(LemHome.kafkaDataDir()))) {
            CliRun run = CliRun.of("run", QUICKSTART.toString(), "--aggregator-url", "http://127.0.0.1:" + freePort(),
                    "--results-dir", dir.resolve("beside-results").toString());
            assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(run.err()).contains("the embedded Kafka in " + LemHome.kafkaDataDir()
                    + " is in use by another lem command", "start 'lem serve' once").hasLineCount(1);
            assertThat(other.bootstrapServers()).as("the other one is untouched").isNotBlank();
        }
    }

    @Test
    void theBrokerAndAggregatorStartedForARunRunBelowTheRunnersPriority() throws Exception {
        assumeTrue(BackgroundPriority.currentNice().isPresent(), "Linux /proc only");
        int base = BackgroundPriority.currentNice().getAsInt();
        assumeTrue(base <= 9, "this JVM already runs at nice " + base);
        // this class's own broker runs at the test's priority: only the threads the stack adds count
        List<Integer> brokerBefore = BackgroundPriority.nicesOfThreadsNamed("data-plane-kafka-request-handler");
        List<Integer> streamsBefore = BackgroundPriority.nicesOfThreadsNamed("lem-aggregator");
        java.io.StringWriter printed = new java.io.StringWriter();
        try (RunCommand.LocalStack stack = RunCommand.LocalStack.open(() -> KafkaConnection.open(null, null),
                java.net.URI.create("http://127.0.0.1:" + freePort()), new java.io.PrintWriter(printed), 10)) {
            assertThat(stack.connection().embedded()).as("no Kafka configured: the embedded broker").isNotNull();
            // threads the broker and Kafka Streams created while starting, and the stream thread's, inherit
            assertThat(added(brokerBefore, BackgroundPriority.nicesOfThreadsNamed("data-plane-kafka-request-handler")))
                    .as("the embedded broker's request handlers").isNotEmpty().containsOnly(base + 10);
            assertThat(added(streamsBefore, BackgroundPriority.nicesOfThreadsNamed("lem-aggregator")))
                    .as("Kafka Streams' threads").isNotEmpty().containsOnly(base + 10);
            assertThat(BackgroundPriority.nicesOfThreadsNamed(RunCommand.LocalStack.START_THREAD)).as("done").isEmpty();
            assertThat(BackgroundPriority.currentNice().getAsInt()).as("the launcher's own thread").isEqualTo(base);
        }
    }

    /** {@code now} without one occurrence of each value of {@code before}. */
    private static List<Integer> added(List<Integer> before, List<Integer> now) {
        List<Integer> rest = new ArrayList<>(now);
        before.forEach(rest::remove);
        return rest;
    }

    private static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
