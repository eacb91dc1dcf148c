package io.lem.aggregator.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.lem.aggregator.http.ResultsClient;
import io.lem.aggregator.topology.LemTopology;
import io.lem.api.event.LemEvent;
import io.lem.broker.testing.KafkaTestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The aggregator on a real broker, queried over HTTP: end to end, dead letters, replay. */
class AggregatorAppTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path tmp;
    static KafkaTestBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = KafkaTestBroker.start(tmp);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Waits until the app's group has consumed the events topic (and its repartition topics) to their current ends. */
    static void awaitConsumed(AggregatorApp app) throws Exception {
        GroupProgress progress = app.progress();
        Map<TopicPartition, Long> ends = progress.endOffsets(progress.partitions(app.settings().eventsTopic()));
        Await.until(Duration.ofSeconds(60), app.applicationId() + " consumed up to " + ends,
                () -> Replay.consumedUpTo(progress, app.applicationId(), ends).isEmpty());
    }

    @Test
    void servesAnExperimentEndToEnd() throws Exception {
        String topic = "e2e.events";
        int batches = 3;
        int steps = 5;
        List<LemEvent> exp = TestEvents.experiment("exp-a", 2, batches, steps);
        List<LemEvent> slashed = TestEvents.experiment("team/run 1", 1, 1, 2);
        AggregatorSettings settings = TestSettings.of(kafka.bootstrapServers(), "agg-e2e", tmp.resolve("e2e"), topic,
                "e2e.dlq").withTopicPartitions(3).withBearerToken("s3cret");
        AggregatorApp app = AggregatorApp.start(settings);
        try {
            assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(app.httpUrl().toString()).startsWith("http://127.0.0.1:");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains(topic, "e2e.dlq");
                assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                        .get(topic).partitions()).hasSize(3);
            }
            TestEvents.send(kafka.bootstrapServers(), topic, exp);
            TestEvents.send(kafka.bootstrapServers(), topic, slashed);
            awaitConsumed(app);

            ResultsClient client = new ResultsClient(app.httpUrl(), "s3cret");
            long outputPerProcess = batches * (4L + 4L * steps);

            ResultsClient.Response list = client.getPatiently("/experiments", PATIENCE);
            assertThat(list.status()).as(list.body()).isEqualTo(200);
            JsonNode rows = list.json().get("experiments");
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0).get("experiment_id").asText()).isEqualTo("exp-a");
            assertThat(rows.get(0).get("output_tokens").asLong()).isEqualTo(2 * outputPerProcess);
            assertThat(rows.get(1).get("experiment_id").asText()).isEqualTo("team/run 1");

            ResultsClient.Response experiment = client.experiment("exp-a");
            assertThat(experiment.status()).as(experiment.body()).isEqualTo(200);
            JsonNode e = experiment.json();
            assertThat(e.get("experiment_id").asText()).isEqualTo("exp-a");
            assertThat(e.get("status").asText()).isEqualTo("completed");
            assertThat(e.get("processes_seen").asInt()).isEqualTo(2);
            assertThat(e.get("events").asLong()).isEqualTo(exp.size());
            assertThat(e.get("output_tokens").asLong()).isEqualTo(2 * outputPerProcess);

            ResultsClient.Response processes = client.processes("exp-a");
            assertThat(processes.status()).as(processes.body()).isEqualTo(200);
            JsonNode ps = processes.json().get("processes");
            assertThat(ps).hasSize(2);
            assertThat(ps.get(0).get("process_index").asInt()).isZero();
            assertThat(ps.get(1).get("process_index").asInt()).isEqualTo(1);
            assertThat(ps.get(1).get("output_tokens").asLong()).isEqualTo(outputPerProcess);

            ResultsClient.Response one = client.process("exp-a", 1);
            assertThat(one.status()).isEqualTo(200);
            assertThat(one.json()).isEqualTo(ps.get(1));
            assertThat(client.experiment("team/run 1").json().get("experiment_id").asText()).isEqualTo("team/run 1");
            assertThat(client.process("team/run 1", 0).status()).isEqualTo(200);

            ResultsClient.Response unknown = client.experiment("nope");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.json().get("error").asText()).contains("'nope'");
            assertThat(unknown.json().get("experimentId").asText()).isEqualTo("nope");
            assertThat(client.process("exp-a", 7).status()).isEqualTo(404);
            assertThat(client.processes("nope").status()).isEqualTo(404);
            ResultsClient.Response badPath = client.get("/experimentz");
            assertThat(badPath.status()).isEqualTo(404);
            assertThat(badPath.json().get("endpoints").toString()).contains("GET /experiments/{id}/processes/{n}");

            ResultsClient.Response metrics = client.metrics();
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("# TYPE lem_experiment_energy_joules gauge")
                    .containsPattern("(?m)^lem_experiment_energy_joules\\{experiment=\"exp-a\"} [0-9.]+$")
                    .contains("lem_experiment_output_tokens{experiment=\"exp-a\"} " + 2 * outputPerProcess + "\n")
                    .containsPattern("(?m)^lem_experiment_joules_per_output_token\\{experiment=\"exp-a\"} [0-9.E-]+$")
                    .contains("lem_aggregator_lag_records 0\n")
                    .contains("lem_aggregator_events_processed_total " + (exp.size() + slashed.size()) + "\n")
                    .contains("lem_aggregator_up{state=\"RUNNING\"} 1\n");

            // the token guards everything but /health
            ResultsClient anonymous = new ResultsClient(app.httpUrl(), null);
            assertThat(anonymous.experiments().status()).isEqualTo(401);
            assertThat(anonymous.metrics().status()).isEqualTo(401);
            assertThat(new ResultsClient(app.httpUrl(), "wrong").experiments().status()).isEqualTo(401);
            ResultsClient.Response health = anonymous.health();
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().get("state").asText()).isEqualTo("RUNNING");

            HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(app.httpUrl() + "/experiments")).POST(HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        } finally {
            app.close();
        }
        assertThat(app.awaitStopped()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
        assertThat(app.failure()).isEmpty();
        app.close(); // idempotent
    }

    @Test
    void poisonRecordGoesToTheDeadLetterTopicAndTheAppKeepsRunning() throws Exception {
        String topic = "poison.events";
        String dlq = "poison.dlq";
        List<LemEvent> exp = TestEvents.experiment("exp-p", 1, 1, 2);
        try (AggregatorApp app = AggregatorApp.start(TestSettings.of(kafka.bootstrapServers(), "agg-poison",
                tmp.resolve("poison"), topic, dlq).withTopicPartitions(1))) {
            TestEvents.send(kafka.bootstrapServers(), topic, exp.subList(0, 3));
            TestEvents.sendRaw(kafka.bootstrapServers(), topic, "exp-p/0",
                    "this is not JSON".getBytes(StandardCharsets.UTF_8));
            TestEvents.send(kafka.bootstrapServers(), topic, exp.subList(3, exp.size()));
            awaitConsumed(app);

            assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
            ResultsClient client = new ResultsClient(app.httpUrl(), null);
            JsonNode e = client.getPatiently("/experiments/exp-p", PATIENCE).json();
            assertThat(e.get("status").asText()).isEqualTo("completed");
            assertThat(e.get("events").asLong()).isEqualTo(exp.size());

            List<ConsumerRecord<byte[], byte[]>> dead = readAll(dlq, 1);
            assertThat(dead).hasSize(1);
            assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("this is not JSON");
            assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("exp-p/0");
            Header reason = dead.get(0).headers().lastHeader(LemTopology.ERROR_HEADER);
            assertThat(reason).isNotNull();
            assertThat(new String(reason.value(), StandardCharsets.UTF_8)).isNotBlank();
        }
    }

    @Test
    void replayIntoAFreshApplicationIdGivesIdenticalJson() throws Exception {
        String topic = "replay.events";
        AggregatorSettings settings = TestSettings.of(kafka.bootstrapServers(), "agg-live", tmp.resolve("replay"),
                topic, "replay.dlq").withTopicPartitions(2);
        List<String> ids = List.of("exp-r1", "exp-r2");
        Map<String, String> live = new java.util.HashMap<>();
        try (AggregatorApp app = AggregatorApp.start(settings)) {
            TestEvents.send(kafka.bootstrapServers(), topic, TestEvents.experiment("exp-r1", 2, 2, 3));
            TestEvents.send(kafka.bootstrapServers(), topic, TestEvents.experiment("exp-r2", 1, 1, 4));
            awaitConsumed(app);
            ResultsClient client = new ResultsClient(app.httpUrl(), null);
            for (String id : ids) {
                ResultsClient.Response r = client.getPatiently("/experiments/" + id, PATIENCE);
                assertThat(r.status()).isEqualTo(200);
                live.put(id, r.body());
            }
            live.put("processes", client.processes("exp-r1").body());
        }

        // all experiments, live aggregator stopped
        String replayId;
        Replay replay = Replay.start(settings, null);
        try {
            replayId = replay.applicationId();
            assertThat(ApplicationIds.isReplayId(replayId)).isTrue();
            assertThat(replay.targetOffsets().values().stream().mapToLong(Long::longValue).sum()).isPositive();
            replay.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(replay.isCaughtUp()).isTrue();
            ResultsClient client = new ResultsClient(replay.httpUrl(), null);
            for (String id : ids) {
                assertThat(client.getPatiently("/experiments/" + id, PATIENCE).body()).isEqualTo(live.get(id));
            }
            assertThat(client.processes("exp-r1").body()).isEqualTo(live.get("processes"));
            assertThat(tmp.resolve("replay").resolve(replayId)).isDirectory();
        } finally {
            replay.closeAndCleanUp();
        }
        assertThat(tmp.resolve("replay").resolve(replayId)).doesNotExist();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            assertThat(topics).noneMatch(t -> t.startsWith(replayId)).anyMatch(t -> t.startsWith("agg-live-"));
            assertThat(admin.listGroups().all().get(10, TimeUnit.SECONDS))
                    .noneMatch(g -> g.groupId().equals(replayId));
        }

        // one experiment
        try (Replay one = Replay.start(settings, "exp-r2")) {
            one.awaitCaughtUp(Duration.ofSeconds(60));
            ResultsClient client = new ResultsClient(one.httpUrl(), null);
            assertThat(client.getPatiently("/experiments/exp-r2", PATIENCE).body()).isEqualTo(live.get("exp-r2"));
            assertThat(client.experiment("exp-r1").status()).isEqualTo(404);
            assertThat(client.experiments().json().get("experiments")).hasSize(1);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            Await.until(Duration.ofSeconds(20), expected + " records in " + topic, () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= expected;
            });
        }
        return out;
    }
}
