package io.lem.aggregator.app;

import io.lem.events.kafka.LemTopics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Everything an {@link AggregatorApp} needs. Start from {@link #defaults(String)} and change one thing at a time with
 * the {@code with...} methods.
 *
 * @param bootstrapServers   Kafka {@code host:port[,host:port...]}
 * @param clientProperties   extra Kafka client properties (SASL, SSL, ...), given to every client Streams creates and
 *                           to the aggregator's Admin client; the aggregator's own settings go over them
 * @param applicationId      Kafka Streams application id (consumer group, internal topic prefix); see
 *                           {@link ApplicationIds} for the rule that keeps ids apart
 * @param stateDir           Kafka Streams state directory (RocksDB stores, checkpoints)
 * @param bindHost           address the HTTP query server listens on; {@code 127.0.0.1} unless configured
 * @param bindPort           HTTP port; 0 picks a free one (see {@link AggregatorApp#httpUrl()})
 * @param advertisedHost     host other aggregator instances use to reach this one ({@code application.server});
 *                           null means {@code bindHost} (or the local host name when bound to {@code 0.0.0.0})
 * @param bearerToken        when set, every endpoint but {@code /health} requires {@code Authorization: Bearer <token>};
 *                           instances forward requests with it, so all instances of one application share it
 * @param numStreamThreads   Kafka Streams threads
 * @param commitInterval     how fresh query results are once the aggregator is caught up with the event log: a
 *                           change is committed (each commit is a transaction) after about this long. While it works
 *                           through a backlog (start-up, catch-up, replay) it commits every
 *                           {@link #backlogCommitInterval()} instead, for throughput
 * @param eventsTopic        the event log
 * @param deadLetterTopic    where unreadable records go
 * @param topicPartitions    partitions when the aggregator creates the events topic; -1 for the broker default
 * @param replicationFactor  replication of the events/DLQ topics it creates and of Streams' internal topics; -1 for
 *                           the broker's {@code default.replication.factor}
 * @param cacheMaxBytes      Streams record cache over all threads ({@code statestore.cache.max.bytes})
 * @param experimentFilter   when set, only this experiment is aggregated (replays of one experiment); null for all
 * @param startTimeout       how long {@link AggregatorApp#start} waits for topics and for the RUNNING state
 * @param closeTimeout       how long {@link AggregatorApp#close} waits for Streams to shut down
 * @param nativeLibraryDir   where RocksDB's JNI library is kept and loaded from ({@link RocksDbLibrary}); null leaves
 *                           it to RocksDB, which copies it into {@code java.io.tmpdir} for every process
 */
public record AggregatorSettings(String bootstrapServers, Map<String, String> clientProperties, String applicationId,
                                 Path stateDir, String bindHost, int bindPort, String advertisedHost,
                                 String bearerToken, int numStreamThreads, Duration commitInterval,
                                 String eventsTopic, String deadLetterTopic, int topicPartitions,
                                 short replicationFactor, long cacheMaxBytes, String experimentFilter,
                                 Duration startTimeout, Duration closeTimeout, Path nativeLibraryDir) {

    public static final String DEFAULT_BIND_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7070;
    /** Same as the runner's default, so whoever creates the topic first, it looks the same. */
    public static final int DEFAULT_PARTITIONS = 6;
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);
    /** Commit interval while working through a backlog, unless {@code commitInterval} is longer. */
    public static final Duration BACKLOG_COMMIT_INTERVAL = Duration.ofSeconds(1);
    public static final long DEFAULT_CACHE_MAX_BYTES = 8L * 1024 * 1024;

    /** Streams' {@code commit.interval.ms}: the longer of {@link #commitInterval} and {@link #BACKLOG_COMMIT_INTERVAL}. */
    public Duration backlogCommitInterval() {
        return commitInterval.compareTo(BACKLOG_COMMIT_INTERVAL) > 0 ? commitInterval : BACKLOG_COMMIT_INTERVAL;
    }

    public AggregatorSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must not be blank");
        }
        clientProperties = Map.copyOf(Objects.requireNonNullElse(clientProperties, Map.of()));
        ApplicationIds.validateSyntax(applicationId);
        Objects.requireNonNull(stateDir, "stateDir");
        if (bindHost == null || bindHost.isBlank()) {
            throw new IllegalArgumentException("bindHost must not be blank");
        }
        if (bindPort < 0 || bindPort > 65535) {
            throw new IllegalArgumentException("bindPort must be 0..65535, was " + bindPort);
        }
        if (advertisedHost != null && advertisedHost.isBlank()) {
            advertisedHost = null;
        }
        if (bearerToken != null && bearerToken.isBlank()) {
            bearerToken = null;
        }
        if (numStreamThreads < 1) {
            throw new IllegalArgumentException("numStreamThreads must be >= 1, was " + numStreamThreads);
        }
        requirePositive(commitInterval, "commitInterval");
        if (eventsTopic == null || eventsTopic.isBlank() || deadLetterTopic == null || deadLetterTopic.isBlank()) {
            throw new IllegalArgumentException("eventsTopic and deadLetterTopic must not be blank");
        }
        if (topicPartitions == 0 || topicPartitions < -1) {
            throw new IllegalArgumentException("topicPartitions must be >= 1 or -1, was " + topicPartitions);
        }
        if (replicationFactor == 0 || replicationFactor < -1) {
            throw new IllegalArgumentException("replicationFactor must be >= 1 or -1, was " + replicationFactor);
        }
        if (cacheMaxBytes < 0) {
            throw new IllegalArgumentException("cacheMaxBytes must be >= 0, was " + cacheMaxBytes);
        }
        if (experimentFilter != null && experimentFilter.isBlank()) {
            experimentFilter = null;
        }
        requirePositive(startTimeout, "startTimeout");
        requirePositive(closeTimeout, "closeTimeout");
    }

    /**
     * Stream threads of an instance unless set. One: on the 2-core bench machine a second thread made the aggregator
     * no faster (interleaved rounds: 175,000-255,000 events/s with one, 155,000-261,000 with two), while it doubles
     * the transactions and connections. More threads pay off with more cores; partitions bound the useful number.
     */
    public static final int DEFAULT_STREAM_THREADS = 1;

    /**
     * The live aggregator on the given cluster: application id {@value ApplicationIds#LIVE_DEFAULT}, HTTP on
     * 127.0.0.1:7070, state in {@code ~/.lem/aggregator/state}, {@value #DEFAULT_STREAM_THREADS} stream threads,
     * topics {@link LemTopics}.
     */
    public static AggregatorSettings defaults(String bootstrapServers) {
        return new AggregatorSettings(bootstrapServers, Map.of(), ApplicationIds.LIVE_DEFAULT,
                Path.of(System.getProperty("user.home"), ".lem", "aggregator", "state"), DEFAULT_BIND_HOST,
                DEFAULT_PORT, null, null, DEFAULT_STREAM_THREADS, DEFAULT_COMMIT_INTERVAL, LemTopics.EVENTS,
                LemTopics.DEAD_LETTERS, DEFAULT_PARTITIONS, (short) -1, DEFAULT_CACHE_MAX_BYTES, null, Duration.ofSeconds(60),
                Duration.ofSeconds(30), null);
    }

    /** The host other instances reach this one at. */
    public String effectiveAdvertisedHost() {
        if (advertisedHost != null) {
            return advertisedHost;
        }
        if ("0.0.0.0".equals(bindHost) || "::".equals(bindHost)) {
            try {
                return java.net.InetAddress.getLocalHost().getCanonicalHostName();
            } catch (java.net.UnknownHostException e) {
                return "localhost";
            }
        }
        return bindHost;
    }

    public AggregatorSettings withClientProperties(Map<String, String> v) {
        return new AggregatorSettings(bootstrapServers, v, applicationId, stateDir, bindHost, bindPort,
                advertisedHost, bearerToken, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, cacheMaxBytes, experimentFilter,
                startTimeout, closeTimeout, nativeLibraryDir);
    }

    public AggregatorSettings withApplicationId(String v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, v, stateDir, bindHost, bindPort,
                advertisedHost, bearerToken, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, cacheMaxBytes, experimentFilter,
                startTimeout, closeTimeout, nativeLibraryDir);
    }

    public AggregatorSettings withStateDir(Path v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, v, bindHost, bindPort,
                advertisedHost, bearerToken, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, cacheMaxBytes, experimentFilter,
                startTimeout, closeTimeout, nativeLibraryDir);
    }

    /** Host and port of the HTTP server; port 0 picks a free one. */
    public AggregatorSettings withBind(String host, int port) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, host, port,
                advertisedHost, bearerToken, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, cacheMaxBytes, experimentFilter,
                startTimeout, closeTimeout, nativeLibraryDir);
    }

    public AggregatorSettings withAdvertisedHost(String v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, bindHost, bindPort,
                v, bearerToken, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, cacheMaxBytes, experimentFilter,
                startTimeout, closeTimeout, nativeLibraryDir);
    }

    public AggregatorSettings withBearerToken(String v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, bindHost, bindPort,
                advertisedHost, v, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, cacheMaxBytes, experimentFilter,
                startTimeout, closeTimeout, nativeLibraryDir);
    }

    public AggregatorSettings withNumStreamThreads(int v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, bindHost, bindPort,
                advertisedHost, bearerToken, v, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, cacheMaxBytes, experimentFilter,
                startTimeout, closeTimeout, nativeLibraryDir);
    }

    public AggregatorSettings withCommitInterval(Duration v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, bindHost, bindPort,
                advertisedHost, bearerToken, numStreamThreads, v, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, cacheMaxBytes, experimentFilter,
                startTimeout, closeTimeout, nativeLibraryDir);
    }

    public AggregatorSettings withTopics(String events, String deadLetters) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, bindHost, bindPort,
                advertisedHost, bearerToken, numStreamThreads, commitInterval, events, deadLetters,
                topicPartitions, replicationFactor, cacheMaxBytes, experimentFilter,
                startTimeout, closeTimeout, nativeLibraryDir);
    }

    public AggregatorSettings withTopicPartitions(int v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, bindHost, bindPort,
                advertisedHost, bearerToken, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                v, replicationFactor, cacheMaxBytes, experimentFilter, startTimeout, closeTimeout, nativeLibraryDir);
    }

    public AggregatorSettings withReplicationFactor(short v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, bindHost, bindPort,
                advertisedHost, bearerToken, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, v, cacheMaxBytes, experimentFilter, startTimeout, closeTimeout, nativeLibraryDir);
    }

    public AggregatorSettings withCacheMaxBytes(long v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, bindHost, bindPort,
                advertisedHost, bearerToken, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, v, experimentFilter, startTimeout, closeTimeout, nativeLibraryDir);
    }

    /** Aggregate only this experiment (null: all). */
    public AggregatorSettings withExperimentFilter(String v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, bindHost, bindPort,
                advertisedHost, bearerToken, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, cacheMaxBytes, v, startTimeout, closeTimeout, nativeLibraryDir);
    }

    public AggregatorSettings withStartTimeout(Duration v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, bindHost, bindPort,
                advertisedHost, bearerToken, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, cacheMaxBytes, experimentFilter, v, closeTimeout, nativeLibraryDir);
    }

    public AggregatorSettings withCloseTimeout(Duration v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, bindHost, bindPort,
                advertisedHost, bearerToken, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, cacheMaxBytes, experimentFilter, startTimeout, v, nativeLibraryDir);
    }

    /** Where RocksDB's JNI library is kept (null: RocksDB copies it into {@code java.io.tmpdir} for every process). */
    public AggregatorSettings withNativeLibraryDir(Path v) {
        return new AggregatorSettings(bootstrapServers, clientProperties, applicationId, stateDir, bindHost, bindPort,
                advertisedHost, bearerToken, numStreamThreads, commitInterval, eventsTopic, deadLetterTopic,
                topicPartitions, replicationFactor, cacheMaxBytes, experimentFilter, startTimeout, closeTimeout, v);
    }

    /** Never shows client property values (SASL passwords) or the token. */
    @Override
    public String toString() {
        return "AggregatorSettings[bootstrapServers=" + bootstrapServers + ", clientProperties="
                + new TreeSet<>(clientProperties.keySet()) + ", applicationId=" + applicationId + ", stateDir="
                + stateDir + ", bind=" + bindHost + ":" + bindPort + ", advertisedHost=" + advertisedHost
                + ", bearerToken=" + (bearerToken == null ? "none" : "***") + ", numStreamThreads="
                + numStreamThreads + ", commitInterval=" + commitInterval + ", eventsTopic=" + eventsTopic
                + ", deadLetterTopic=" + deadLetterTopic + ", topicPartitions=" + topicPartitions
                + ", replicationFactor=" + replicationFactor + ", cacheMaxBytes=" + cacheMaxBytes
                + ", experimentFilter=" + experimentFilter + ", startTimeout=" + startTimeout + ", closeTimeout="
                + closeTimeout + ", nativeLibraryDir=" + nativeLibraryDir + "]";
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
