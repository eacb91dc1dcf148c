package io.lem.runner.events;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The Kafka client configurations lem's event code uses. The user's client properties (SASL, SSL, ...) come first and
 * lem's settings go over them: delivery guarantees are not negotiable.
 */
final class ClientProperties {
    private static final long RECONNECT_BACKOFF_MS = 100;
    private static final long RECONNECT_BACKOFF_MAX_MS = 1000;

    private ClientProperties() {
    }

    /**
     * Idempotent, {@code acks=all}, and quick to give up on a dead broker so that the sink notices and spools; the
     * spool, not the producer's buffer, rides out long outages.
     */
    static Map<String, Object> producer(KafkaTarget target, Duration deliveryTimeout, Duration requestTimeout,
                                        String clientId) {
        Map<String, Object> p = common(target, requestTimeout, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis());
        p.put(ProducerConfig.LINGER_MS_CONFIG, (int) KafkaSinkSettings.LINGER.toMillis());
        // send() blocks at most this long on missing metadata or a full buffer; it runs on the delivery thread.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, requestTimeout.toMillis());
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, RECONNECT_BACKOFF_MS);
        p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, RECONNECT_BACKOFF_MAX_MS);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** Reads by explicit assignment: no group, no commits, never creates topics. */
    static Map<String, Object> consumer(KafkaTarget target, Duration requestTimeout, String clientId) {
        Map<String, Object> p = common(target, requestTimeout, clientId);
        // Reading back must keep pace with sending: events are small, take many per poll.
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
        p.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, RECONNECT_BACKOFF_MS);
        p.put(ConsumerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, RECONNECT_BACKOFF_MAX_MS);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    static Map<String, Object> admin(KafkaTarget target, Duration requestTimeout, String clientId) {
        Map<String, Object> p = common(target, requestTimeout, clientId);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, RECONNECT_BACKOFF_MS);
        p.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, RECONNECT_BACKOFF_MAX_MS);
        return p;
    }

    /** A client id Kafka's metrics accept: the event key may hold any character. */
    static String clientId(String role, String detail) {
        return "lem-" + role + (detail == null ? "" : "-" + detail.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    private static Map<String, Object> common(KafkaTarget target, Duration requestTimeout, String clientId) {
        Map<String, Object> p = new HashMap<>(target.clientProperties());
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
        p.put(CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG, RECONNECT_BACKOFF_MS);
        p.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, RECONNECT_BACKOFF_MAX_MS);
        p.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, requestTimeout.toMillis());
        p.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, requestTimeout.toMillis());
        return p;
    }
}
