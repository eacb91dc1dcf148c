package io.lem.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.lem.broker.testing.KafkaTestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

// A separate thread, so a hung Kafka shutdown fails the test instead of hanging the build.
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EmbeddedKafkaTest {

    @TempDir
    Path tmp;

    @Test
    void startsOnPickedPortsAndStopsCleanly() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(BrokerSettings.defaults(tmp));
        try {
            assertThat(kafka.port()).isPositive().isNotEqualTo(kafka.controllerPort());
            assertThat(kafka.controllerPort()).isPositive();
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
            assertThat(kafka.dataDir()).isEqualTo(tmp.toAbsolutePath());
            assertThat(kafka.clusterId()).isNotBlank();
            assertThat(Files.readString(tmp.resolve("kafka-logs/meta.properties"))).contains(kafka.clusterId());
            try (Admin admin = admin(kafka)) {
                assertThat(admin.describeCluster().clusterId().get()).isEqualTo(kafka.clusterId());
            }
        } finally {
            kafka.close();
        }
        kafka.close(); // idempotent
        assertPortFree(kafka.port());
        assertPortFree(kafka.controllerPort());
    }

    @Test
    void indexFilesOfANewPartitionAreSmall() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(BrokerSettings.defaults(tmp))) {
            createTopic(kafka, "fresh", 1);
            produce(kafka.bootstrapServers(), "fresh", 3);
            Path partition = tmp.resolve("kafka-logs/fresh-0");
            List<Path> indexes;
            try (var files = Files.list(partition)) {
                indexes = files.filter(f -> f.toString().endsWith(".index") || f.toString().endsWith(".timeindex"))
                        .toList();
            }
            // the active segment's indexes are preallocated at the maximum: the broker's setting, not Kafka's 10 MiB
            assertThat(indexes).hasSize(2);
            for (Path index : indexes) {
                assertThat(Files.size(index)).as(index.toString())
                        .isGreaterThan(SegmentIndexSize.SMALL_BYTES - 12L)
                        .isLessThanOrEqualTo(SegmentIndexSize.SMALL_BYTES);
            }
        }
    }

    @Test
    void restartOnSameDataDirAndPortsKeepsRecords() throws Exception {
        BrokerSettings settings;
        String clusterId;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(BrokerSettings.defaults(tmp))) {
            settings = kafka.settings();
            clusterId = kafka.clusterId();
            createTopic(kafka, "events", 3);
            produce(kafka.bootstrapServers(), "events", 30);
        }

        try (EmbeddedKafka again = EmbeddedKafka.start(settings)) {
            assertThat(again.port()).isEqualTo(settings.port());
            assertThat(again.controllerPort()).isEqualTo(settings.controllerPort());
            assertThat(again.clusterId()).isEqualTo(clusterId);
            assertThat(consumeValues(again.bootstrapServers(), "events", 30))
                    .containsExactlyInAnyOrderElementsOf(values(30));
        }

        // The ports are not stored with the data (the controller quorum is static config): new ones work too.
        try (EmbeddedKafka elsewhere = EmbeddedKafka.start(BrokerSettings.defaults(tmp))) {
            assertThat(elsewhere.clusterId()).isEqualTo(clusterId);
            assertThat(consumeValues(elsewhere.bootstrapServers(), "events", 30)).hasSize(30);
        }
    }

    @Test
    void twoBrokersRunSideBySide() throws Exception {
        try (EmbeddedKafka a = EmbeddedKafka.start(BrokerSettings.defaults(tmp.resolve("a")));
             EmbeddedKafka b = EmbeddedKafka.start(BrokerSettings.defaults(tmp.resolve("b")))) {
            assertThat(Set.of(a.port(), a.controllerPort(), b.port(), b.controllerPort())).hasSize(4);
            assertThat(a.clusterId()).isNotEqualTo(b.clusterId());

            createTopic(a, "only-on-a", 1);
            produce(a.bootstrapServers(), "only-on-a", 3);
            try (Admin adminB = admin(b)) {
                assertThat(adminB.listTopics().names().get()).doesNotContain("only-on-a");
            }
            assertThat(consumeValues(a.bootstrapServers(), "only-on-a", 3)).containsExactlyElementsOf(values(3));
        }
    }

    @Test
    void portInUseIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> EmbeddedKafka.start(BrokerSettings.defaults(tmp).withPort(port)))
                    .isInstanceOf(BrokerStartException.class)
                    .hasMessageContaining("PLAINTEXT port " + port)
                    .hasMessageContaining("in use");
            assertThatThrownBy(() -> EmbeddedKafka.start(BrokerSettings.defaults(tmp).withControllerPort(port)))
                    .isInstanceOf(BrokerStartException.class)
                    .hasMessageContaining("CONTROLLER port " + port);
        }
    }

    @Test
    void dataDirThatIsAFileIsRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> EmbeddedKafka.start(BrokerSettings.defaults(file)))
                .isInstanceOf(BrokerStartException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a directory");
    }

    @Test
    void dataDirOfAnotherClusterIsRefused() throws IOException {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(BrokerSettings.defaults(tmp))) {
            assertThat(kafka.clusterId()).isNotBlank();
        }
        // As if this dir had been node 2 of some other, multi-node cluster.
        Path meta = tmp.resolve("kafka-logs/meta.properties");
        Files.writeString(meta, Files.readString(meta).replace("node.id=1", "node.id=2"));

        assertThatThrownBy(() -> EmbeddedKafka.start(BrokerSettings.defaults(tmp)))
                .isInstanceOf(BrokerStartException.class)
                .hasMessageContaining("formatted by another cluster")
                .hasMessageContaining("node 2");
    }

    @Test
    void dataDirInUseByARunningBrokerIsRefusedAndTheRunningOneSurvives() throws Exception {
        try (EmbeddedKafka running = EmbeddedKafka.start(BrokerSettings.defaults(tmp))) {
            assertThatThrownBy(() -> EmbeddedKafka.start(BrokerSettings.defaults(tmp)))
                    .isInstanceOf(BrokerStartException.class)
                    .hasMessageContaining(tmp.toAbsolutePath().toString())
                    .hasMessageContaining("in use by another running embedded Kafka");

            createTopic(running, "still-works", 1);
            produce(running.bootstrapServers(), "still-works", 2);
            assertThat(consumeValues(running.bootstrapServers(), "still-works", 2)).hasSize(2);
        }
    }

    @Test
    void invalidOverrideIsNamed() {
        BrokerSettings settings = BrokerSettings.defaults(tmp).withOverride("num.io.threads", "many");
        assertThatThrownBy(() -> EmbeddedKafka.start(settings))
                .isInstanceOf(BrokerStartException.class)
                .hasMessageContaining("num.io.threads");
    }

    @Test
    void settingsAndOverridesReachTheBroker() throws Exception {
        BrokerSettings settings = BrokerSettings.defaults(tmp).withPartitions(4)
                .withOverride("log.retention.ms", "3600000");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(settings); Admin admin = admin(kafka)) {
            admin.createTopics(List.of(new NewTopic("defaulted", java.util.Optional.empty(), java.util.Optional.empty())))
                    .all().get();
            assertThat(admin.describeTopics(List.of("defaulted")).allTopicNames().get().get("defaulted").partitions())
                    .hasSize(4);
            var brokerConfig = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.BROKER, "1"))).all().get().values().iterator().next();
            assertThat(brokerConfig.get("log.retention.ms").value()).isEqualTo("3600000");
            assertThat(brokerConfig.get("auto.create.topics.enable").value()).isEqualTo("false");
        }
    }

    // --- helpers ---

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static void createTopic(EmbeddedKafka kafka, String topic, int partitions) {
        KafkaTestBroker.createTopic(kafka.bootstrapServers(), topic, partitions);
    }

    static List<String> values(int n) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add("value-" + i);
        }
        return values;
    }

    static void produce(String bootstrap, String topic, int n) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (String value : values(n)) {
                producer.send(new ProducerRecord<>(topic, value, value)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    static List<String> consumeValues(String bootstrap, String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID()); // a fresh group reads from the start
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (got.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(r.value());
                }
            }
        }
        return got;
    }

    private static void assertPortFree(int port) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
        }
    }
}
