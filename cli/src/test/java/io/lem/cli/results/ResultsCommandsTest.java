package io.lem.cli.results;

import io.lem.aggregator.app.AggregatorApp;
import io.lem.aggregator.app.AggregatorSettings;
import io.lem.broker.testing.KafkaTestBroker;
import io.lem.cli.CliRun;
import io.lem.cli.ExitCodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lem results}, {@code lem aggregate} and {@code lem replay} against a real broker and a real aggregator fed
 * with the recorded sample experiment.
 */
class ResultsCommandsTest {

    private static final Path SAMPLE = Path.of(System.getProperty("user.dir"))
            .resolveSibling("examples/events/sample-experiment.jsonl");
    private static final String EXP = "exp_20261128_090000_demo";

    @TempDir
    static Path dir;
    private static KafkaTestBroker kafka;
    private static AggregatorApp aggregator;
    private static String url;

    @BeforeAll
    static void startStack() throws Exception {
        kafka = KafkaTestBroker.start(dir);
        CliRun imported = CliRun.of("events", "import", SAMPLE.toString(), "--bootstrap-servers",
                kafka.bootstrapServers());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        aggregator = AggregatorApp.start(AggregatorSettings.defaults(kafka.bootstrapServers())
                .withStateDir(dir.resolve("state")).withBind("127.0.0.1", 0));
        url = aggregator.httpUrl().toString();
        awaitExperimentComplete();
    }

    @AfterAll
    static void stopStack() {
        aggregator.close();
        kafka.close();
    }

    @Test
    void listAndShowTheLiveResults() {
        CliRun list = CliRun.of("results", "list", "--aggregator-url", url);
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains("ID", "J/TOKEN", EXP, "quickstart", "completed", "2/2", "16");

        CliRun show = CliRun.of("results", "show", EXP, "--aggregator-url", url);
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out()).contains("experiment   " + EXP, "status       completed: 2 of 2 processes",
                "tokens       input 36, output 16, total 52", "energy       total 0.384 J [model]",
                "flops        ", "architecture-causal");
        // the sample's two hosts measured 24 ms each of its 74 ms window: said, not hidden
        assertThat(show.out()).contains(
                "note: cpu:gpu-node-0:package-0 was measured over 32 % of the measured window",
                "note: cpu:gpu-node-1:package-0 was measured over 32 % of the measured window");

        CliRun json = CliRun.of("results", "show", EXP, "--json", "--aggregator-url", url);
        assertThat(json.out()).contains("\"total_energy_j\" : 0.384", "\"output_tokens\" : 16",
                "\"tokens_per_second\"", "\"energy_partial_devices\" : [ \"cpu:gpu-node-0:package-0\", "
                        + "\"cpu:gpu-node-1:package-0\" ]");

        CliRun raw = CliRun.of("results", "show", EXP, "--raw", "--json", "--aggregator-url", url);
        assertThat(raw.exitCode()).isZero();
        assertThat(raw.out()).contains("\"process_index\" : 0", "\"process_index\" : 1");
    }

    @Test
    void aReusedExperimentIdIsSaidInTheSummary() throws Exception {
        // exported results of an experiment whose id a later run used again (the fields the aggregator writes)
        CliRun show = showExported("exp_reused", "{\"experiment_id\": \"exp_reused\", \"status\": \"completed\", "
                + "\"processes_completed\": 1, \"num_processes\": 1, \"processes_failed\": 0, \"events\": 40, "
                + "\"duplicates_dropped\": 0, \"experiment_id_reused_by\": [-1, 0], \"later_run_events_ignored\": 57}");
        assertThat(show.out()).contains("note: a later run used this experiment id again (the launcher, process 0); "
                + "only the first run is counted, the later run's 57 events were ignored");
    }

    @Test
    void processesWithoutAnEndAreCountedInTheStatusLine() throws Exception {
        // a run whose launcher saw process 1 killed: neither completed nor failed in the events
        CliRun show = showExported("exp_killed", "{\"experiment_id\": \"exp_killed\", \"status\": \"failed\", "
                + "\"processes_completed\": 1, \"num_processes\": 2, \"processes_failed\": 0, "
                + "\"processes_cancelled\": 0, \"launcher_status\": \"failed\", \"failed_processes\": 1, "
                + "\"events\": 70, \"duplicates_dropped\": 0}");
        assertThat(show.out()).contains("status       failed: 1 of 2 processes completed, 0 failed, 1 without an end "
                + "(killed?); 70 events");
    }

    /** {@code lem results show id} with no aggregator answering, over an exported {@code results/} holding json. */
    private static CliRun showExported(String id, String json) throws Exception {
        Path results = dir.resolve(id + "-results");
        Files.createDirectories(results.resolve("aggregated"));
        Files.writeString(results.resolve("aggregated").resolve(id + ".json"), json);
        CliRun show = CliRun.of("results", "show", id, "--aggregator-url", "http://127.0.0.1:" + freePort(),
                "--results-dir", results.toString());
        assertThat(show.exitCode()).as(show.err()).isZero();
        return show;
    }

    @Test
    void compareTwoExperimentsSideBySide() {
        CliRun compare = CliRun.of("results", "compare", EXP, EXP, "--aggregator-url", url);
        assertThat(compare.exitCode()).as(compare.err()).isZero();
        assertThat(compare.out()).contains("tokens/s", "total energy J", "J/output token")
                .containsPattern("output tokens\\s+16\\s+16");
    }

    @Test
    void unknownExperimentIsOneLineAndExitOne() {
        CliRun show = CliRun.of("results", "show", "exp_nope", "--aggregator-url", url);
        assertThat(show.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(show.err()).contains("exp_nope").hasLineCount(1);
    }

    @Test
    void aggregateExportsTheOriginalLayoutAndResultsFallBackToItWhenNoAggregatorAnswers() throws Exception {
        Path results = dir.resolve("results");
        CliRun aggregate = CliRun.of("aggregate", EXP, "--aggregator-url", url, "--results-dir", results.toString());
        assertThat(aggregate.exitCode()).as(aggregate.err()).isZero();
        assertThat(results.resolve("aggregated").resolve(EXP + ".json")).exists();
        assertThat(results.resolve("raw").resolve(EXP).resolve("process_0.json")).exists();
        assertThat(results.resolve("raw").resolve(EXP).resolve("process_1.json")).exists();

        CliRun again = CliRun.of("aggregate", "--all", "--aggregator-url", url, "--results-dir", results.toString());
        assertThat(again.out()).contains("already exported", "0 experiment(s) exported");

        String dead = "http://127.0.0.1:" + freePort();
        CliRun offline = CliRun.of("results", "show", EXP, "--aggregator-url", dead, "--results-dir",
                results.toString());
        assertThat(offline.exitCode()).as(offline.err()).isZero();
        assertThat(offline.err()).contains("no aggregator answers at " + dead, "showing exported results");
        assertThat(offline.out()).contains("tokens       input 36, output 16");

        CliRun offlineList = CliRun.of("results", "list", "--aggregator-url", dead, "--results-dir",
                results.toString());
        assertThat(offlineList.out()).contains(EXP, "completed");
    }

    @Test
    void withNoAggregatorAggregateReplaysTheTopicAndReplayGivesIdenticalResults() throws Exception {
        String dead = "http://127.0.0.1:" + freePort();
        Path results = dir.resolve("replayed-results");
        CliRun aggregate = CliRun.of("aggregate", EXP, "--aggregator-url", dead, "--results-dir", results.toString(),
                "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(aggregate.exitCode()).as(aggregate.err()).isZero();
        assertThat(aggregate.err()).contains("re-aggregating the event topic");
        String replayed = Files.readString(results.resolve("aggregated").resolve(EXP + ".json"));

        CliRun live = CliRun.of("results", "show", EXP, "--json", "--aggregator-url", url);
        assertThat(replayed.strip()).isEqualTo(live.out().strip());

        CliRun replay = CliRun.of("replay", "--once", "--experiment", EXP, "--bootstrap-servers",
                kafka.bootstrapServers());
        assertThat(replay.exitCode()).as(replay.err()).isZero();
        assertThat(replay.out().strip()).isEqualTo(live.out().strip());
    }

    private static void awaitExperimentComplete() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            CliRun show = CliRun.of("results", "show", EXP, "--json", "--aggregator-url", url);
            if (show.exitCode() == 0) {
                // the experiment's own status: process rows carry a "status" too
                var experiment = new com.fasterxml.jackson.databind.ObjectMapper().readTree(show.out());
                if (experiment.path("status").asText().equals("completed")
                        && experiment.path("processes_seen").asInt() == 2) {
                    return;
                }
            }
            Thread.sleep(100); // polls the condition
        }
        throw new AssertionError("experiment not aggregated within 60 s");
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
