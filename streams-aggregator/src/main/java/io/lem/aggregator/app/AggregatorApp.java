package io.lem.aggregator.app;

import io.lem.aggregator.http.QueryServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import io.lem.aggregator.topology.LemTopology;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * One aggregator instance: the lem topology on Kafka Streams (exactly-once v2, persistent RocksDB stores) and its
 * HTTP query server.
 *
 * <pre>{@code
 * try (AggregatorApp app = AggregatorApp.start(AggregatorSettings.defaults("broker:9092").withBind("127.0.0.1", 0))) {
 *     URI api = app.httpUrl();   // GET api + "/experiments"
 * }
 * }</pre>
 *
 * <p>{@link #start} creates the events topic and the dead-letter topic if they are missing and waits for their leaders,
 * binds the HTTP server (so a picked port is known for {@code application.server}), starts Streams and returns once it
 * is RUNNING. Several instances with one application id share the work; each answers queries for all (see
 * {@link QueryServer}). {@link #close} is bounded by the settings' close timeout and leaves the consumer group, so the
 * remaining instances take over at once.
 */
public final class AggregatorApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AggregatorApp.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration METRICS_LAG_TIMEOUT = Duration.ofSeconds(3);

    private final AggregatorSettings settings;
    private final Admin admin;
    private final QueryServer queryServer;
    private final KafkaStreams streams;
    private final GroupProgress progress;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stateChanged = lock.newCondition();
    private volatile Throwable fatal;
    private volatile boolean closed;

    private AggregatorApp(AggregatorSettings settings, Admin admin, QueryServer queryServer, Topology topology) {
        this.settings = settings;
        this.admin = admin;
        this.queryServer = queryServer;
        this.progress = new GroupProgress(admin, clientConfig(settings), METRICS_LAG_TIMEOUT);
        this.streams = new KafkaStreams(topology, streamsProperties(settings, queryServer.hostInfo()));
        streams.setStateListener((newState, oldState) -> {
            LOG.info("aggregator {} at {}: {} -> {}", settings.applicationId(), queryServer.url(), oldState, newState);
            lock.lock();
            try {
                stateChanged.signalAll();
            } finally {
                lock.unlock();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            fatal = e;
            LOG.error("aggregator {} stops: a stream thread failed", settings.applicationId(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        queryServer.attach(streams, settings.applicationId(), settings.eventsTopic(), this::lagOfOwnedPartitions);
    }

    /**
     * Starts an instance and waits until Streams is RUNNING.
     *
     * @throws AggregatorException naming the cause when the topics cannot be set up, the HTTP address cannot be bound,
     *                             or Streams is not RUNNING within the start timeout (everything started is closed)
     */
    public static AggregatorApp start(AggregatorSettings settings) {
        LOG.info("starting aggregator: {}", settings);
        if (!ApplicationIds.isReplayId(settings.applicationId())) {
            try {
                ApplicationIds.validateLive(settings.applicationId());
            } catch (IllegalArgumentException e) {
                throw new AggregatorException(e.getMessage(), e);
            }
        }
        RocksDbLibrary.load(settings.nativeLibraryDir());
        Admin admin = Admin.create(adminConfig(settings));
        QueryServer server = null;
        AggregatorApp app = null;
        try {
            long deadline = System.nanoTime() + settings.startTimeout().toNanos();
            KafkaTopics.ensure(admin, settings.eventsTopic(), settings.topicPartitions(),
                    settings.replicationFactor(), remaining(deadline));
            KafkaTopics.ensure(admin, settings.deadLetterTopic(), 1, settings.replicationFactor(),
                    remaining(deadline));
            warnOnPrefixConflicts(admin, settings.applicationId());
            try {
                server = QueryServer.start(settings.bindHost(), settings.bindPort(),
                        settings.effectiveAdvertisedHost(), settings.bearerToken());
            } catch (UncheckedIOException e) {
                throw new AggregatorException("cannot start the HTTP query server: " + e.getMessage(), e);
            }
            Topology topology = TopologyFactory.build(settings);
            app = new AggregatorApp(settings, admin, server, topology);
            app.streams.start();
            app.awaitState(KafkaStreams.State.RUNNING, remaining(deadline));
            LOG.info("aggregator {} RUNNING; results at {}", settings.applicationId(), app.httpUrl());
            return app;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(app, server, admin);
            throw new AggregatorException("interrupted while starting the aggregator", e);
        } catch (RuntimeException e) {
            closeQuietly(app, server, admin);
            throw e instanceof AggregatorException ? e
                    : new AggregatorException("cannot start the aggregator: " + e.getMessage(), e);
        }
    }

    /** Records one poll of the events topic returns at most (unless the client properties say otherwise). */
    static final int MAX_POLL_RECORDS = 5_000;

    /** The Kafka Streams configuration an instance runs with (the user's client properties first, lem's over them). */
    public static Properties streamsProperties(AggregatorSettings settings, HostInfo applicationServer) {
        Properties p = new Properties();
        p.putAll(settings.clientProperties());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.numStreamThreads());
        // commitInterval bounds how stale results are once caught up (the topology asks for those commits);
        // Streams' own interval, at least BACKLOG_COMMIT_INTERVAL, paces transactions while working through a backlog
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.backlogCommitInterval().toMillis());
        p.put(LemTopology.CAUGHT_UP_COMMIT_INTERVAL_CONFIG, settings.commitInterval().toMillis());
        p.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toAbsolutePath().toString());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer.host() + ":" + applicationServer.port());
        // internal topics get the broker's default.replication.factor unless configured
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.replicationFactor());
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, settings.cacheMaxBytes());
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
        // Every task of the topology reads exactly one partition, so there is nothing to align by timestamp across
        // partitions; -1 also skips Streams' per-check idling bookkeeping (Kafka 4.4 formats a message for every
        // empty partition on every check: about a fifth of the stream thread's time in the benchmark)
        p.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // Through a backlog, 5,000 records per poll instead of Streams' 1,000: half the stream thread's time went to
        // poll, and its per-call bookkeeping, at 1,000 (aggregator bench: 163,000-183,000 events/s folded with 1,000,
        // 191,000-277,000 with 5,000). A caught-up aggregator gets what has arrived either way.
        if (!p.containsKey(ConsumerConfig.MAX_POLL_RECORDS_CONFIG)
                && !p.containsKey(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG))) {
            p.putIfAbsent(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), MAX_POLL_RECORDS);
        }
        // a new application id (first start, replay) reads the event log from its beginning
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.putAll(TopologyFactory.streamsOverrides(settings));
        return p;
    }

    /** {@code http://<advertised host>:<port>}, the port actually bound. */
    public URI httpUrl() {
        return queryServer.url();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public AggregatorSettings settings() {
        return settings;
    }

    public String applicationId() {
        return settings.applicationId();
    }

    public QueryServer queryServer() {
        return queryServer;
    }

    /** Committed-versus-end offsets of this application's group; shares this instance's Admin client. */
    public GroupProgress progress() {
        return progress;
    }

    /**
     * Waits until Streams reaches {@code target}.
     *
     * @throws AggregatorException when it ends in ERROR or NOT_RUNNING first, or the timeout passes
     */
    public void awaitState(KafkaStreams.State target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                KafkaStreams.State state = streams.state();
                if (state == target) {
                    return;
                }
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                        || (state == KafkaStreams.State.NOT_RUNNING && target != KafkaStreams.State.NOT_RUNNING)) {
                    throw new AggregatorException("aggregator " + settings.applicationId() + " is " + state
                            + (fatal == null ? "" : ": " + fatal), fatal);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AggregatorException("aggregator " + settings.applicationId() + " not " + target
                            + " within " + timeout.toMillis() + " ms (state " + state + ")");
                }
                stateChanged.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until Streams has stopped for good (ERROR after a stream thread failed, or NOT_RUNNING after
     * {@link #close}) and returns that state: what {@code lem serve} waits on besides its shutdown hook.
     */
    public KafkaStreams.State awaitStopped() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                KafkaStreams.State state = streams.state();
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                    return state;
                }
                stateChanged.await(500, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The exception that stopped a stream thread (state ERROR), if any. */
    public java.util.Optional<Throwable> failure() {
        return java.util.Optional.ofNullable(fatal);
    }

    /**
     * Consumer lag of this instance: over the events-topic partitions its stream threads own, end offset minus the
     * group's committed offset. {@code -1} while it owns none because it is not RUNNING.
     */
    public long lagOfOwnedPartitions(KafkaStreams ignored) throws InterruptedException {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return -1;
        }
        Set<TopicPartition> owned = streams.metadataForLocalThreads().stream()
                .flatMap(t -> t.activeTasks().stream())
                .flatMap(task -> task.topicPartitions().stream())
                .filter(tp -> tp.topic().equals(settings.eventsTopic()))
                .collect(Collectors.toSet());
        return progress.lag(settings.applicationId(), owned);
    }

    /**
     * Stops the HTTP server, then Streams (leaving the consumer group so that other instances take over at once),
     * waiting at most the close timeout; idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queryServer.close();
        boolean clean = streams.close(CloseOptions.groupMembershipOperation(
                CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(settings.closeTimeout()));
        if (!clean) {
            LOG.warn("aggregator {} did not shut down within {}; its threads are left to finish",
                    settings.applicationId(), settings.closeTimeout());
        }
        progress.close();
        admin.close(Duration.ofSeconds(5));
        LOG.info("aggregator {} closed", settings.applicationId());
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    static Map<String, Object> clientConfig(AggregatorSettings settings) {
        Map<String, Object> p = new HashMap<>(settings.clientProperties());
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        return p;
    }

    static Map<String, Object> adminConfig(AggregatorSettings settings) {
        Map<String, Object> p = clientConfig(settings);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "lem-aggregator-admin-" + settings.applicationId());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        return p;
    }

    /** Best effort: a warning when another group id on the cluster is a prefix of this one or the other way round. */
    private static void warnOnPrefixConflicts(Admin admin, String applicationId) {
        try {
            List<String> others = admin.listGroups().all().get(5, TimeUnit.SECONDS).stream()
                    .map(GroupListing::groupId).filter(g -> !g.equals(applicationId)).toList();
            List<String> conflicts = ApplicationIds.conflicts(applicationId, others);
            if (!conflicts.isEmpty()) {
                LOG.warn("application id {} and the group(s) {} are prefixes of one another: resetting one of them "
                        + "by prefix would delete the other's internal topics", applicationId, conflicts);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("cannot list consumer groups to check the application id: {}", e.toString());
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofMillis(KafkaTopics.remaining(deadline));
    }

    private static void closeQuietly(AggregatorApp app, QueryServer server, Admin admin) {
        try {
            if (app != null) {
                app.close();
                return;
            }
            if (server != null) {
                server.close();
            }
            admin.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warn("error while cleaning up a failed start: {}", e.toString());
        }
    }
}
