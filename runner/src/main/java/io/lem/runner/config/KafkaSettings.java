package io.lem.runner.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code kafka}: where events go.
 *
 * @param bootstrapServers     {@code host:port[,host:port...]}; null runs lem's embedded single-node broker
 * @param clientPropertiesFile Kafka client properties (SASL, SSL), resolved against the config file naming it;
 *                             null for none
 * @param clientProperties     extra client properties written inline; applied over the file's. Values of
 *                             secret-looking keys are redacted wherever the config is shown
 * @param topic                event topic (default {@code lem.events.v1})
 * @param partitions           partitions when lem creates the topic, >= 1 (default 6)
 * @param replicationFactor    replication when lem creates the topic, >= 1 (default 1)
 */
public record KafkaSettings(String bootstrapServers, Path clientPropertiesFile, Map<String, String> clientProperties,
                            String topic, int partitions, int replicationFactor) {

    public static final String DEFAULT_TOPIC = "lem.events.v1";

    public KafkaSettings {
        clientProperties = Collections.unmodifiableMap(new LinkedHashMap<>(clientProperties));
    }

    @Override
    public String toString() { // the generated one would print SASL passwords
        Map<String, String> shown = new LinkedHashMap<>();
        clientProperties.forEach((k, v) -> shown.put(k, SecretKeys.looksSecret(k) ? Secret.REDACTED : v));
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", clientPropertiesFile=" + clientPropertiesFile
                + ", clientProperties=" + shown + ", topic=" + topic + ", partitions=" + partitions
                + ", replicationFactor=" + replicationFactor + "]";
    }
}
