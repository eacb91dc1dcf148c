package io.lem.runner.events;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes the event topic exist and be writable before anything is produced to it. Producing to a topic that auto-creation
 * is still setting up can stall an idempotent producer for minutes and lose records (KAFKA-15591), so lem creates the
 * topic itself and waits until every partition has a leader.
 */
final class EventTopic {
    private static final long LEADER_POLL_MILLIS = 50;

    private EventTopic() {
    }

    /**
     * Creates the topic if it is missing (an existing topic is accepted with whatever layout it has) and waits until
     * every partition has a leader.
     *
     * @return the topic's partition count
     * @throws IOException when Kafka does not answer or refuses within the timeout
     */
    static int ensure(Admin admin, KafkaTarget target, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String topic = target.topic();
        try {
            Optional<TopicDescription> existing = describe(admin, topic, remaining(deadline));
            if (existing.isEmpty()) {
                NewTopic newTopic = new NewTopic(topic,
                        target.partitions() > 0 ? Optional.of(target.partitions()) : Optional.empty(),
                        target.replicationFactor() > 0 ? Optional.of(target.replicationFactor()) : Optional.empty());
                try {
                    admin.createTopics(List.of(newTopic)).all().get(remaining(deadline), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // Another process created it first: fine.
                }
            }
            while (true) {
                Optional<TopicDescription> description = describe(admin, topic, remaining(deadline));
                if (description.isPresent() && allLed(description.get())) {
                    return description.get().partitions().size();
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("topic " + topic + " has no leader for every partition after "
                            + timeout.toMillis() + " ms");
                }
                Thread.sleep(LEADER_POLL_MILLIS);
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IOException("Kafka at " + target.bootstrapServers() + " refused to set up topic " + topic + ": "
                    + cause, cause);
        } catch (TimeoutException e) {
            throw new IOException("Kafka at " + target.bootstrapServers() + " did not answer within "
                    + timeout.toMillis() + " ms", e);
        }
    }

    /** The partition Kafka's default partitioner picks for a key; lem sets it explicitly so every writer agrees. */
    static int partitionFor(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static Optional<TopicDescription> describe(Admin admin, String topic, long timeoutMillis)
            throws ExecutionException, TimeoutException, InterruptedException {
        try {
            return Optional.of(admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeoutMillis, TimeUnit.MILLISECONDS).get(topic));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static boolean allLed(TopicDescription description) {
        return !description.partitions().isEmpty() && description.partitions().stream()
                .map(TopicPartitionInfo::leader)
                .allMatch(leader -> leader != null && !leader.isEmpty());
    }

    private static long remaining(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
