package io.lem.cli.kafka;

import io.lem.broker.BrokerSettings;
import io.lem.broker.DataDirInUseException;
import io.lem.broker.EmbeddedKafka;
import io.lem.cli.ExitCodes;
import io.lem.cli.LemHome;
import io.lem.cli.UserError;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka a command talks to: the one named by {@code --bootstrap-servers}, else a local broker already listening
 * on 127.0.0.1:9092 ({@code lem broker}), else an embedded broker started on {@code ~/.lem/kafka} for the duration
 * of the command. Closing it stops the embedded broker if this command started it.
 *
 * @param bootstrapServers  where to connect
 * @param clientProperties  extra client properties (SASL/SSL) from {@code --client-properties}
 * @param embedded          the broker this command started, or null
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> clientProperties, EmbeddedKafka embedded)
        implements AutoCloseable {

    public static final int LOCAL_PORT = 9092;
    public static final String LOCAL_BOOTSTRAP = "127.0.0.1:" + LOCAL_PORT;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaConnection.class);

    public static KafkaConnection open(String bootstrapOption, Path clientPropertiesFile) {
        return open(bootstrapOption, clientPropertiesFile, false);
    }

    /**
     * As {@link #open(String, Path)}; with {@code onLocalPorts} an embedded broker listens on 127.0.0.1:9092 (controller
     * 9093) like {@code lem broker}, so that other lem processes on this host find it — for {@code lem serve}.
     */
    public static KafkaConnection open(String bootstrapOption, Path clientPropertiesFile, boolean onLocalPorts) {
        Map<String, String> clientProperties = readClientProperties(clientPropertiesFile);
        if (bootstrapOption != null && !bootstrapOption.isBlank()) {
            return new KafkaConnection(bootstrapOption, clientProperties, null);
        }
        if (answers(LOCAL_BOOTSTRAP)) {
            LOG.info("using the local broker at {}", LOCAL_BOOTSTRAP);
            return new KafkaConnection(LOCAL_BOOTSTRAP, clientProperties, null);
        }
        LOG.info("no broker at {}; starting an embedded one on {}", LOCAL_BOOTSTRAP, LemHome.kafkaDataDir());
        BrokerSettings settings = BrokerSettings.defaults(LemHome.kafkaDataDir()).withPartitions(6);
        if (onLocalPorts) {
            settings = settings.withPort(LOCAL_PORT).withControllerPort(LOCAL_PORT + 1);
        }
        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.start(settings);
        } catch (DataDirInUseException e) {
            // a lem run of its own keeps its embedded broker to itself (its port is not the local one): say how to
            // run experiments side by side instead of how to free a lock
            throw new UserError("the embedded Kafka in " + e.dataDir() + " is in use by another lem command (a lem "
                    + "run, or lem broker/serve with other ports); to run experiments side by side start 'lem serve' "
                    + "once, which every lem run then uses, or give this command its own LEM_HOME", ExitCodes.FAILED);
        }
        return new KafkaConnection(kafka.bootstrapServers(), clientProperties, kafka);
    }

    /** True when a Kafka broker answers at the address within two seconds. */
    static boolean answers(String bootstrapServers) {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 1000,
                AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 1000);
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().clusterId().get(2, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static Map<String, String> readClientProperties(Path file) {
        Map<String, String> properties = new LinkedHashMap<>();
        if (file == null) {
            return properties;
        }
        if (!Files.isRegularFile(file)) {
            throw new UserError("--client-properties: no such file: " + file);
        }
        Properties loaded = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            loaded.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("--client-properties: cannot read " + file + ": " + e.getMessage());
        }
        loaded.stringPropertyNames().forEach(name -> properties.put(name, loaded.getProperty(name)));
        return properties;
    }

    /** Admin client with the client properties applied. */
    public Admin admin() {
        Map<String, Object> config = new LinkedHashMap<>(clientProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return Admin.create(config);
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
