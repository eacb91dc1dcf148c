package io.lem.aggregator.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.lem.aggregator.http.ResultsClient;
import io.lem.aggregator.topology.LemStores;
import io.lem.api.event.EventKey;
import io.lem.broker.testing.KafkaTestBroker;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of one application on one broker share the partitions; each answers for all: single-key requests are
 * forwarded to the owner and relayed unchanged, the experiment list is merged from both.
 */
class TwoInstancesTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final StringSerializer KEYS = new StringSerializer();

    @TempDir
    Path tmp;

    @Test
    void queriesAreForwardedToTheOwnerAndTheListIsMerged() throws Exception {
        String topic = "pair.events";
        try (KafkaTestBroker kafka = KafkaTestBroker.start(tmp)) {
            kafka.createTopic(topic, 4);
            AggregatorSettings base = TestSettings.of(kafka.bootstrapServers(), "agg-pair", tmp.resolve("a"), topic,
                    "pair.dlq");
            // start both at once: with empty stores both are caught up, so the assignment is balanced at once
            CompletableFuture<AggregatorApp> startA = CompletableFuture.supplyAsync(() -> AggregatorApp.start(base));
            AggregatorApp b0 = AggregatorApp.start(base.withStateDir(tmp.resolve("b")));
            try (AggregatorApp a = startA.get(90, TimeUnit.SECONDS); AggregatorApp b = b0) {
                HostInfo hostA = a.queryServer().hostInfo();
                HostInfo hostB = b.queryServer().hostInfo();
                Await.until(Duration.ofSeconds(60), "both instances RUNNING and owning experiment partitions", () ->
                        a.state() == KafkaStreams.State.RUNNING && b.state() == KafkaStreams.State.RUNNING
                                && owners(a).equals(Set.of(hostA, hostB)) && owners(b).equals(Set.of(hostA, hostB)));

                // experiments owned by each instance (the owner of a key is known before any data exists)
                // and at least one experiment with a process on the other instance (for the /processes fan-out)
                List<String> ofA = new ArrayList<>();
                List<String> ofB = new ArrayList<>();
                boolean split = false;
                for (int i = 0; ofA.size() < 2 || ofB.size() < 2 || !split; i++) {
                    String id = "exp-" + i;
                    HostInfo owner = owner(a, LemStores.EXPERIMENT_SUMMARIES, id);
                    boolean splitHere = !owner(a, LemStores.PROCESS_SUMMARIES, EventKey.of(id, 0)).equals(owner)
                            || !owner(a, LemStores.PROCESS_SUMMARIES, EventKey.of(id, 1)).equals(owner);
                    List<String> list = owner.equals(hostA) ? ofA : ofB;
                    if (list.size() < 2 || (splitHere && !split)) {
                        list.add(id);
                        split |= splitHere;
                    }
                }
                List<String> ids = new ArrayList<>(ofA);
                ids.addAll(ofB);
                for (String id : ids) {
                    TestEvents.send(kafka.bootstrapServers(), topic, TestEvents.experiment(id, 2, 1, 3));
                }
                AggregatorAppTest.awaitConsumed(a);

                ResultsClient viaA = new ResultsClient(a.httpUrl(), null);
                ResultsClient viaB = new ResultsClient(b.httpUrl(), null);
                for (String id : ids) {
                    AggregatorApp owner = ofA.contains(id) ? a : b;
                    ResultsClient ownerClient = owner == a ? viaA : viaB;
                    ResultsClient other = owner == a ? viaB : viaA;
                    String path = "/experiments/" + id;
                    ResultsClient.Response direct = ownerClient.getPatiently(path, PATIENCE);
                    assertThat(direct.status()).as(direct.body()).isEqualTo(200);
                    assertThat(direct.json().get("processes_seen").asInt()).isEqualTo(2);
                    assertThat(other.getPatiently(path, PATIENCE).body()).isEqualTo(direct.body());

                    ResultsClient.Response processes = ownerClient.getPatiently(path + "/processes", PATIENCE);
                    assertThat(processes.json().get("processes")).hasSize(2);
                    assertThat(other.getPatiently(path + "/processes", PATIENCE).body())
                            .isEqualTo(processes.body());
                    for (int n = 0; n < 2; n++) {
                        ResultsClient.Response p = viaA.getPatiently(path + "/processes/" + n, PATIENCE);
                        assertThat(p.status()).isEqualTo(200);
                        assertThat(viaB.getPatiently(path + "/processes/" + n, PATIENCE).body()).isEqualTo(p.body());
                        assertThat(processes.json().get("processes").get(n)).isEqualTo(p.json());
                    }
                    assertThat(other.experiment(id + "-missing").status()).isEqualTo(404);
                }

                ResultsClient.Response listA = viaA.getPatiently("/experiments", PATIENCE);
                assertThat(listA.status()).isEqualTo(200);
                List<String> listed = new ArrayList<>();
                for (JsonNode row : listA.json().get("experiments")) {
                    listed.add(row.get("experiment_id").asText());
                }
                assertThat(listed).containsExactlyElementsOf(ids.stream().sorted().toList());
                assertThat(viaB.getPatiently("/experiments", PATIENCE).body()).isEqualTo(listA.body());
                // each instance's own part is a strict subset
                assertThat(viaA.get("/experiments?scope=local").json().get("experiments")).hasSize(ofA.size());
                assertThat(viaB.get("/experiments?scope=local").json().get("experiments")).hasSize(ofB.size());

                // B leaves: A takes over B's partitions (rebalance, restore from the changelogs). Meanwhile every
                // answer is either the same body or 503 with Retry-After; afterwards A alone answers everything.
                Map<String, String> before = new HashMap<>();
                for (String id : ids) {
                    before.put(id, viaA.get("/experiments/" + id).body());
                }
                b.close();
                Set<String> answered = new HashSet<>();
                Await.until(Duration.ofSeconds(60), "A answers every experiment alone", () -> {
                    for (String id : ids) {
                        ResultsClient.Response r = viaA.get("/experiments/" + id);
                        if (r.status() == 200) {
                            assertThat(r.body()).isEqualTo(before.get(id));
                            answered.add(id);
                        } else {
                            assertThat(r.status()).as(r.body()).isEqualTo(503);
                            assertThat(r.retryAfter()).isEqualTo("1");
                            assertThat(r.json().get("error").asText()).isNotBlank();
                        }
                    }
                    return answered.containsAll(ids) && owners(a).equals(Set.of(hostA));
                });
                assertThat(viaA.getPatiently("/experiments", PATIENCE).body()).isEqualTo(listA.body());
            }
        }
    }

    private static Set<HostInfo> owners(AggregatorApp app) {
        Collection<StreamsMetadata> metadata = app.streams().streamsMetadataForStore(LemStores.EXPERIMENT_SUMMARIES);
        return metadata.stream().filter(m -> !m.topicPartitions().isEmpty()).map(StreamsMetadata::hostInfo)
                .collect(Collectors.toSet());
    }

    private static HostInfo owner(AggregatorApp app, String store, String key) {
        KeyQueryMetadata md = app.streams().queryMetadataForKey(store, key, KEYS);
        assertThat(md).isNotEqualTo(KeyQueryMetadata.NOT_AVAILABLE);
        return md.activeHost();
    }
}
