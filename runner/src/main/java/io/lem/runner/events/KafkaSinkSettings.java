package io.lem.runner.events;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link KafkaEventSink} delivers.
 *
 * @param target          cluster and topic
 * @param spoolDir        directory of the per-process write-ahead spool files
 * @param deliveryTimeout how long the producer keeps retrying one record before the sink treats Kafka as down and
 *                        falls back to the spool ({@code delivery.timeout.ms})
 * @param requestTimeout  one request to Kafka, and each probe while Kafka is down ({@code request.timeout.ms})
 * @param closeTimeout    how long {@link KafkaEventSink#close()} waits for delivery before leaving the spool behind
 * @param fsyncInterval   longest time an event sits in the spool before it is fsynced, when nobody calls flush
 * @param deliveryInterval shortest time between two send-and-verify cycles while events flow: events reach Kafka in
 *                        batches at most this far apart (closing the sink sends at once). Each cycle costs the
 *                        runner, its producer and the broker a few milliseconds of CPU whatever it carries, CPU the
 *                        measured generation shares: about 11 ms per cycle over the delivery, producer and broker
 *                        threads in the SmolLM2-sized overhead bench, 0.2 s of an 18.5 s window at one cycle a
 *                        second. Five seconds cuts that to about a fifth; the live view in the aggregator is then up
 *                        to five seconds behind a running process (CodeCarbon's default reporting period is 15 s),
 *                        while the launcher's progress, read from the runners' output, is not delayed
 */
public record KafkaSinkSettings(KafkaTarget target, Path spoolDir, Duration deliveryTimeout, Duration requestTimeout,
                                Duration closeTimeout, Duration fsyncInterval, Duration deliveryInterval) {

    public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_DELIVERY_INTERVAL = Duration.ofSeconds(5);
    /**
     * Consecutive spooled events are sent packed into records of up to this many bytes ({@code EventFrames}): about
     * 300 events of the usual 220 bytes, well under Kafka's default {@code max.message.bytes} (1 MiB).
     */
    public static final int MAX_RECORD_BYTES = 64 * 1024;
    /** The producer's linger; Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms. */
    static final Duration LINGER = Duration.ofMillis(5);

    public KafkaSinkSettings {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(spoolDir, "spoolDir");
        requirePositive("deliveryTimeout", deliveryTimeout);
        requirePositive("requestTimeout", requestTimeout);
        requirePositive("fsyncInterval", fsyncInterval);
        Objects.requireNonNull(deliveryInterval, "deliveryInterval");
        if (deliveryInterval.isNegative()) {
            throw new IllegalArgumentException("deliveryInterval must not be negative, was " + deliveryInterval);
        }
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (closeTimeout.isNegative()) {
            throw new IllegalArgumentException("closeTimeout must not be negative, was " + closeTimeout);
        }
        if (deliveryTimeout.compareTo(requestTimeout.plus(LINGER)) < 0) {
            throw new IllegalArgumentException("deliveryTimeout (" + deliveryTimeout + ") must be at least requestTimeout ("
                    + requestTimeout + ") + " + LINGER.toMillis() + " ms");
        }
    }

    public static KafkaSinkSettings defaults(KafkaTarget target, Path spoolDir) {
        return new KafkaSinkSettings(target, spoolDir, DEFAULT_DELIVERY_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_CLOSE_TIMEOUT, DEFAULT_FSYNC_INTERVAL, DEFAULT_DELIVERY_INTERVAL);
    }

    /** Defaults for everything but the cluster, topic layout and spool directory. */
    public static KafkaSinkSettings of(String bootstrapServers, String topic, int partitions, short replicationFactor,
                                       Map<String, String> clientProperties, Path spoolDir) {
        return defaults(new KafkaTarget(bootstrapServers, topic, partitions, replicationFactor, clientProperties),
                spoolDir);
    }

    public KafkaSinkSettings withTarget(KafkaTarget target) {
        return new KafkaSinkSettings(target, spoolDir, deliveryTimeout, requestTimeout, closeTimeout, fsyncInterval,
                deliveryInterval);
    }

    public KafkaSinkSettings withSpoolDir(Path spoolDir) {
        return new KafkaSinkSettings(target, spoolDir, deliveryTimeout, requestTimeout, closeTimeout, fsyncInterval,
                deliveryInterval);
    }

    /** Sets both timeouts at once, since they constrain each other. */
    public KafkaSinkSettings withTimeouts(Duration deliveryTimeout, Duration requestTimeout) {
        return new KafkaSinkSettings(target, spoolDir, deliveryTimeout, requestTimeout, closeTimeout, fsyncInterval,
                deliveryInterval);
    }

    public KafkaSinkSettings withCloseTimeout(Duration closeTimeout) {
        return new KafkaSinkSettings(target, spoolDir, deliveryTimeout, requestTimeout, closeTimeout, fsyncInterval,
                deliveryInterval);
    }

    public KafkaSinkSettings withFsyncInterval(Duration fsyncInterval) {
        return new KafkaSinkSettings(target, spoolDir, deliveryTimeout, requestTimeout, closeTimeout, fsyncInterval,
                deliveryInterval);
    }

    public KafkaSinkSettings withDeliveryInterval(Duration deliveryInterval) {
        return new KafkaSinkSettings(target, spoolDir, deliveryTimeout, requestTimeout, closeTimeout, fsyncInterval,
                deliveryInterval);
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
