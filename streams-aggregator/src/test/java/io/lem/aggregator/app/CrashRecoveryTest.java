package io.lem.aggregator.app;

import io.lem.aggregator.http.ResultsClient;
import io.lem.api.event.LemEvent;
import io.lem.broker.BrokerSettings;
import io.lem.broker.testing.KafkaTestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An aggregator killed with SIGKILL in the middle of the stream (input consumed, transaction not committed) and
 * restarted on the same state dir ends with exactly the results of an aggregator that never crashed.
 */
class CrashRecoveryTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final int SESSION_MS = 2000;
    private static final Pattern CONSUMED = Pattern.compile("(?m)^lem_aggregator_events_processed_total (\\d+)$");

    @TempDir
    Path tmp;

    @Test
    void anInstanceKilledMidStreamRestartsToTheSameResults() throws Exception {
        String topic = "crash.events";
        String dlq = "crash.dlq";
        String appId = "agg-crash";
        List<LemEvent> events = TestEvents.experiment("exp-c", 2, 6, 8);
        List<List<LemEvent>> chunks = chunks(events, 5);
        Path stateDir = tmp.resolve("state");
        // a dead member leaves the group after its session timeout: keep it short
        try (KafkaTestBroker kafka = KafkaTestBroker.start(BrokerSettings.defaults(tmp.resolve("kafka"))
                .withOverride("group.min.session.timeout.ms", "1000"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     kafka.bootstrapServers()));
             GroupProgress progress = new GroupProgress(admin, Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     kafka.bootstrapServers()), Duration.ofSeconds(10))) {
            kafka.createTopic(topic, 2);
            kafka.createTopic(dlq, 1);
            List<TopicPartition> partitions = progress.partitions(topic);

            TestEvents.send(kafka.bootstrapServers(), topic, chunks.get(0));
            int sent = chunks.get(0).size();
            int next = 1;
            // long commit interval: consumed input stays uncommitted for up to 3 s
            Path urlFile = tmp.resolve("url");
            Process child = startChild(kafka.bootstrapServers(), appId, stateDir, topic, dlq, 3000, urlFile);
            boolean killedMidStream = false;
            try {
                Await.until(Duration.ofSeconds(90), "child aggregator RUNNING (log " + tmp.resolve("child.log")
                        + ")", () -> {
                    assertThat(child.isAlive()).as("child alive; log:\n" + childLog()).isTrue();
                    return Files.exists(urlFile);
                });
                log("child RUNNING");
                ResultsClient client = new ResultsClient(URI.create(Files.readString(urlFile).trim()), null);
                // a committed checkpoint in the middle of the experiment
                Await.until(Duration.ofSeconds(30), "first chunk committed", () ->
                        Replay.consumedUpTo(progress, appId, progress.endOffsets(partitions)).isEmpty());
                log("first chunk committed");
                while (next < chunks.size() - 1 && !killedMidStream) {
                    TestEvents.send(kafka.bootstrapServers(), topic, chunks.get(next));
                    sent += chunks.get(next).size();
                    next++;
                    int expected = sent;
                    Await.until(PATIENCE, "child consumed " + expected + " events", () ->
                            consumed(client) >= expected);
                    log("chunk " + (next - 1) + " consumed");
                    Map<TopicPartition, Long> ends = progress.endOffsets(partitions);
                    if (!progress.behind(appId, ends).isEmpty()) {
                        child.destroyForcibly();
                        killedMidStream = true;
                    }
                }
                assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            } finally {
                if (child.isAlive()) {
                    child.destroyForcibly();
                    child.waitFor(20, TimeUnit.SECONDS);
                }
            }
            assertThat(killedMidStream).as("killed while consumed events were uncommitted").isTrue();
            for (; next < chunks.size(); next++) {
                TestEvents.send(kafka.bootstrapServers(), topic, chunks.get(next));
            }

            String restartedExperiment;
            String restartedProcesses;
            try (AggregatorApp restarted = AggregatorApp.start(TestSettings.withSessionTimeout(TestSettings.of(
                    kafka.bootstrapServers(), appId, stateDir, topic, dlq), SESSION_MS))) {
                AggregatorAppTest.awaitConsumed(restarted);
                ResultsClient client = new ResultsClient(restarted.httpUrl(), null);
                restartedExperiment = client.getPatiently("/experiments/exp-c", PATIENCE).body();
                restartedProcesses = client.processes("exp-c").body();
            }
            try (AggregatorApp reference = AggregatorApp.start(TestSettings.of(kafka.bootstrapServers(),
                    "agg-reference-after-crash", tmp.resolve("reference"), topic, dlq))) {
                AggregatorAppTest.awaitConsumed(reference);
                ResultsClient client = new ResultsClient(reference.httpUrl(), null);
                assertThat(restartedExperiment).isEqualTo(client.getPatiently("/experiments/exp-c", PATIENCE)
                        .body());
                assertThat(restartedProcesses).isEqualTo(client.processes("exp-c").body());
            }
            assertThat(restartedExperiment).contains("\"status\" : \"completed\"")
                    .contains("\"events\" : " + events.size() + ",");
        }
    }

    private static void log(String what) {
        System.out.println(java.time.LocalTime.now() + " TEST " + what);
    }

    private Process startChild(String bootstrap, String appId, Path stateDir, String topic, String dlq,
                               long commitMs, Path urlFile) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), AggregatorMain.class.getName(), bootstrap, appId,
                stateDir.toString(), topic, dlq, Long.toString(commitMs), Integer.toString(SESSION_MS),
                urlFile.toString());
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile()).start();
    }

    private String childLog() {
        try {
            return Files.readString(tmp.resolve("child.log"), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }

    private static long consumed(ResultsClient client) throws Exception {
        Matcher m = CONSUMED.matcher(client.metrics().body());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static List<List<LemEvent>> chunks(List<LemEvent> events, int n) {
        List<List<LemEvent>> out = new ArrayList<>();
        int size = (events.size() + n - 1) / n;
        for (int i = 0; i < events.size(); i += size) {
            out.add(events.subList(i, Math.min(events.size(), i + size)));
        }
        return out;
    }
}
