package io.lem.broker.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import io.lem.broker.BrokerSettings;
import io.lem.broker.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * A real Kafka for tests of other modules, on a JUnit {@code @TempDir}:
 *
 * <pre>{@code
 * @TempDir Path tmp;
 * try (KafkaTestBroker kafka = KafkaTestBroker.start(tmp)) {
 *     kafka.createTopic("lem.events.v1", 3);
 *     ... producers/consumers on kafka.bootstrapServers() ...
 *     kafka.restart();   // same data dir and ports: clients keep their bootstrap address
 * }
 * }</pre>
 *
 * Close it before the temp dir is deleted (try-with-resources or {@code @AfterEach}).
 */
public final class KafkaTestBroker implements AutoCloseable {

    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

    private final BrokerSettings settings;
    private EmbeddedKafka kafka;

    private KafkaTestBroker(EmbeddedKafka kafka) {
        this.kafka = kafka;
        this.settings = kafka.settings();
    }

    /** Starts a broker on free ports with its data in {@code tempDir/kafka}. */
    public static KafkaTestBroker start(Path tempDir) {
        return start(BrokerSettings.defaults(tempDir.resolve("kafka")));
    }

    public static KafkaTestBroker start(BrokerSettings settings) {
        return new KafkaTestBroker(EmbeddedKafka.start(settings));
    }

    /** The same address before and after {@link #restart()}. */
    public String bootstrapServers() {
        return settings.host() + ":" + settings.port();
    }

    /** The running broker; a new instance after each {@link #restart()}. */
    public synchronized EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException("the broker is stopped");
        }
        return kafka;
    }

    /** The settings it runs with, picked ports filled in. */
    public BrokerSettings settings() {
        return settings;
    }

    public synchronized boolean isRunning() {
        return kafka != null;
    }

    /** Stops the broker cleanly, keeping its data dir and ports for {@link #restart()}. Does nothing if stopped. */
    public synchronized void stop() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    /** Stops the broker if it runs, then starts it again on the same data dir and ports. */
    public synchronized void restart() {
        stop();
        kafka = EmbeddedKafka.start(settings);
    }

    /** Creates a topic and waits until every partition has a leader, so producers do not race its creation. */
    public void createTopic(String name, int partitions) {
        createTopic(bootstrapServers(), name, partitions);
    }

    /** {@link #createTopic(String, int)} on any broker. */
    public static void createTopic(String bootstrapServers, String name, int partitions) {
        Objects.requireNonNull(name, "name");
        long deadline = System.nanoTime() + TOPIC_READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all()
                    .get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            while (!allPartitionsLed(admin, name, partitions)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + name + " has no leader for every partition after "
                            + TOPIC_READY_TIMEOUT.toSeconds() + " s");
                }
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static boolean allPartitionsLed(Admin admin, String topic, int partitions)
            throws InterruptedException, TimeoutException {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            return description.partitions().size() == partitions
                    && description.partitions().stream().map(TopicPartitionInfo::leader)
                            .allMatch(leader -> leader != null && !leader.isEmpty());
        } catch (ExecutionException e) {
            // Not yet in this broker's metadata: ask again.
            return false;
        }
    }
}
