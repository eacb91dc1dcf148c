package io.lem.aggregator.app;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the topics the aggregator reads and writes before Streams starts, and waits until every partition has a
 * leader: producing to a topic that is still being set up can stall an idempotent producer and lose records
 * (KAFKA-15591), and Streams fails on a missing source topic.
 */
public final class KafkaTopics {
    private static final long POLL_MILLIS = 50;

    private KafkaTopics() {
    }

    /**
     * Creates {@code topic} if it is missing (an existing topic is used as it is) and waits for its leaders.
     *
     * @param partitions        partitions of a new topic, -1 for the broker default
     * @param replicationFactor replication of a new topic, -1 for the broker default
     * @return the topic's partition count
     * @throws AggregatorException when Kafka refuses or does not answer within the timeout
     */
    public static int ensure(Admin admin, String topic, int partitions, short replicationFactor, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (describe(admin, topic, deadline).isEmpty()) {
                NewTopic newTopic = new NewTopic(topic,
                        partitions > 0 ? Optional.of(partitions) : Optional.empty(),
                        replicationFactor > 0 ? Optional.of(replicationFactor) : Optional.empty());
                try {
                    admin.createTopics(List.of(newTopic)).all().get(remaining(deadline), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // created concurrently by a runner or another aggregator instance: fine
                }
            }
            while (true) {
                Optional<TopicDescription> description = describe(admin, topic, deadline);
                if (description.isPresent() && allLed(description.get())) {
                    return description.get().partitions().size();
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AggregatorException("topic " + topic + " has no leader for every partition after "
                            + timeout.toMillis() + " ms");
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new AggregatorException("Kafka refused to set up topic " + topic + ": " + cause, cause);
        } catch (TimeoutException e) {
            throw new AggregatorException("Kafka did not answer within " + timeout.toMillis()
                    + " ms while setting up topic " + topic, e);
        }
    }

    private static Optional<TopicDescription> describe(Admin admin, String topic, long deadline)
            throws ExecutionException, TimeoutException, InterruptedException {
        try {
            return Optional.of(admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(remaining(deadline), TimeUnit.MILLISECONDS).get(topic));
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

    static long remaining(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
