package io.lem.runner.events;

import io.lem.events.kafka.LemTopics;

import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Which Kafka cluster and topic events go to, shared by the sink, the importer and the verifier.
 *
 * @param bootstrapServers  {@code host:port[,host:port...]}
 * @param topic             event topic, normally {@link LemTopics#EVENTS}
 * @param partitions        partitions when lem creates the topic; -1 for the broker's {@code num.partitions}.
 *                          An existing topic is used as it is.
 * @param replicationFactor replication factor when lem creates the topic; -1 for the broker's
 *                          {@code default.replication.factor}
 * @param clientProperties  extra Kafka client properties (SASL, SSL, ...); lem's own settings are applied over them
 */
public record KafkaTarget(String bootstrapServers, String topic, int partitions, short replicationFactor,
                          Map<String, String> clientProperties) {

    public static final int DEFAULT_PARTITIONS = 6;
    /** Use the broker's default, which suits both the single-node local broker and a real cluster. */
    public static final short BROKER_DEFAULT_REPLICATION = -1;

    public KafkaTarget {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must not be blank");
        }
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank");
        }
        if (partitions == 0 || partitions < -1) {
            throw new IllegalArgumentException("partitions must be >= 1 or -1 (broker default), was " + partitions);
        }
        if (replicationFactor == 0 || replicationFactor < -1) {
            throw new IllegalArgumentException("replicationFactor must be >= 1 or -1 (broker default), was "
                    + replicationFactor);
        }
        clientProperties = Map.copyOf(Objects.requireNonNullElse(clientProperties, Map.of()));
    }

    /** The lem event topic on the given cluster, {@value #DEFAULT_PARTITIONS} partitions, broker-default replication. */
    public static KafkaTarget of(String bootstrapServers) {
        return new KafkaTarget(bootstrapServers, LemTopics.EVENTS, DEFAULT_PARTITIONS, BROKER_DEFAULT_REPLICATION,
                Map.of());
    }

    public KafkaTarget withTopic(String topic) {
        return new KafkaTarget(bootstrapServers, topic, partitions, replicationFactor, clientProperties);
    }

    public KafkaTarget withPartitions(int partitions) {
        return new KafkaTarget(bootstrapServers, topic, partitions, replicationFactor, clientProperties);
    }

    public KafkaTarget withReplicationFactor(short replicationFactor) {
        return new KafkaTarget(bootstrapServers, topic, partitions, replicationFactor, clientProperties);
    }

    public KafkaTarget withClientProperties(Map<String, String> clientProperties) {
        return new KafkaTarget(bootstrapServers, topic, partitions, replicationFactor, clientProperties);
    }

    /** Names the client properties but never their values: they may hold SASL passwords. */
    @Override
    public String toString() {
        return "KafkaTarget[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", partitions=" + partitions
                + ", replicationFactor=" + replicationFactor + ", clientProperties="
                + new TreeSet<>(clientProperties.keySet()) + "]";
    }
}
