package io.lem.broker;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to start an {@link EmbeddedKafka}.
 *
 * @param dataDir        where Kafka keeps its logs and metadata; formatted on first use, reused afterwards
 * @param host           the address both listeners bind to and advertise
 * @param port           the client (PLAINTEXT) port; 0 picks a free one
 * @param controllerPort the KRaft controller port; 0 picks a free one
 * @param partitions     {@code num.partitions}: the default for topics created without a partition count
 * @param overrides      Kafka broker properties applied last, over every default set here
 */
public record BrokerSettings(Path dataDir, String host, int port, int controllerPort, int partitions,
                             Map<String, String> overrides) {

    public static final String DEFAULT_HOST = "127.0.0.1";

    public BrokerSettings {
        Objects.requireNonNull(dataDir, "dataDir");
        dataDir = dataDir.toAbsolutePath().normalize();
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        checkPort("port", port);
        checkPort("controllerPort", controllerPort);
        if (port != 0 && port == controllerPort) {
            throw new IllegalArgumentException("port and controllerPort must differ, both are " + port);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        overrides = Map.copyOf(Objects.requireNonNull(overrides, "overrides"));
    }

    /** Loopback, free ports picked at start, one partition per topic by default, no overrides. */
    public static BrokerSettings defaults(Path dataDir) {
        return new BrokerSettings(dataDir, DEFAULT_HOST, 0, 0, 1, Map.of());
    }

    public BrokerSettings withDataDir(Path dataDir) {
        return new BrokerSettings(dataDir, host, port, controllerPort, partitions, overrides);
    }

    public BrokerSettings withHost(String host) {
        return new BrokerSettings(dataDir, host, port, controllerPort, partitions, overrides);
    }

    public BrokerSettings withPort(int port) {
        return new BrokerSettings(dataDir, host, port, controllerPort, partitions, overrides);
    }

    public BrokerSettings withControllerPort(int controllerPort) {
        return new BrokerSettings(dataDir, host, port, controllerPort, partitions, overrides);
    }

    public BrokerSettings withPartitions(int partitions) {
        return new BrokerSettings(dataDir, host, port, controllerPort, partitions, overrides);
    }

    /** Replaces all overrides. */
    public BrokerSettings withOverrides(Map<String, String> overrides) {
        return new BrokerSettings(dataDir, host, port, controllerPort, partitions, overrides);
    }

    /** Adds or replaces one override, keeping the others. */
    public BrokerSettings withOverride(String key, String value) {
        Map<String, String> merged = new HashMap<>(overrides);
        merged.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new BrokerSettings(dataDir, host, port, controllerPort, partitions, merged);
    }

    private static void checkPort(String name, int value) {
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException(name + " must be within 0..65535, was " + value);
        }
    }
}
