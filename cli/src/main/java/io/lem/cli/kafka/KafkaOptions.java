package io.lem.cli.kafka;

import io.lem.events.kafka.LemTopics;
import io.lem.runner.events.KafkaTarget;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The Kafka options shared by commands that read or write the event topic. */
public final class KafkaOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka to use. Default: a broker on 127.0.0.1:9092 if one answers (lem broker), "
                    + "else an embedded one started on ~/.lem/kafka for this command.")
    String bootstrapServers;

    @Option(names = "--client-properties", paramLabel = "FILE",
            description = "Kafka client properties file (SASL/SSL settings).")
    Path clientProperties;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = LemTopics.EVENTS,
            description = "Event topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "6",
            description = "Partitions if lem creates the topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", paramLabel = "N", defaultValue = "-1",
            description = "Replication factor if lem creates the topic; -1 = the broker's default (default: ${DEFAULT-VALUE}).")
    short replicationFactor;

    /** A bootstrap address to use when the flag was not given (e.g. the config's kafka.bootstrap_servers). */
    public void defaultBootstrapServers(String servers) {
        if ((bootstrapServers == null || bootstrapServers.isBlank()) && servers != null && !servers.isBlank()) {
            bootstrapServers = servers;
        }
    }

    public Path clientPropertiesFile() {
        return clientProperties;
    }

    public String topicName() {
        return topic;
    }

    public KafkaConnection connect() {
        return KafkaConnection.open(bootstrapServers, clientProperties);
    }

    /** Like {@link #connect()}, but an embedded broker takes the standard local ports (for {@code lem serve}). */
    public KafkaConnection connectOnLocalPorts() {
        return KafkaConnection.open(bootstrapServers, clientProperties, true);
    }

    public KafkaTarget target(KafkaConnection connection) {
        return new KafkaTarget(connection.bootstrapServers(), topic, partitions, replicationFactor,
                connection.clientProperties());
    }
}
