package io.lem.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaProperties;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.properties.MetaPropertiesVersion;
import org.apache.kafka.metadata.properties.PropertiesUtils;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka in KRaft mode (one process acting as broker and controller), running inside this JVM.
 *
 * <p>The data dir is formatted on first use and reused afterwards, so a broker closed and started again on the same
 * settings keeps its cluster id, topics and records.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** How long {@link #start(BrokerSettings)} waits for the broker to answer; a start takes 2–4 s normally. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    /** Sub-directory of the data dir that holds Kafka's log dir (partition logs, metadata log, meta.properties). */
    public static final String LOG_DIR_NAME = "kafka-logs";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    // A free port picked here can be taken by someone else before Kafka binds it; then pick again.
    private static final int PICKED_PORT_ATTEMPTS = 3;
    private static final Duration READY_POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration FAILED_START_CLEANUP_TIMEOUT = Duration.ofSeconds(30);

    private final BrokerSettings settings;
    private final String clusterId;
    private final KafkaRaftServer server;
    private final DataDirLock dataDirLock;
    private boolean closed;

    private EmbeddedKafka(BrokerSettings settings, String clusterId, KafkaRaftServer server, DataDirLock dataDirLock) {
        this.settings = settings;
        this.clusterId = clusterId;
        this.server = server;
        this.dataDirLock = dataDirLock;
    }

    /** Starts a broker and blocks until it answers clients, at most {@link #DEFAULT_START_TIMEOUT}. */
    public static EmbeddedKafka start(BrokerSettings settings) {
        return start(settings, DEFAULT_START_TIMEOUT);
    }

    /**
     * Starts a broker and blocks until it answers an Admin {@code describeCluster} naming itself.
     *
     * @throws BrokerStartException naming the cause: port in use, unusable data dir, data dir of another cluster,
     *                              invalid override, or no answer within {@code timeout}
     */
    public static EmbeddedKafka start(BrokerSettings settings, Duration timeout) {
        prepareDataDir(settings.dataDir());
        checkHost(settings.host());
        DataDirLock lock = DataDirLock.acquire(settings.dataDir());
        try {
            // Ports asked for explicitly are checked up front so the error names them; picked ones are retried.
            if (settings.port() != 0) {
                checkPortFree(settings.host(), settings.port(), BROKER_LISTENER);
            }
            if (settings.controllerPort() != 0) {
                checkPortFree(settings.host(), settings.controllerPort(), CONTROLLER_LISTENER);
            }
            boolean picksPorts = settings.port() == 0 || settings.controllerPort() == 0;
            for (int attempt = 1; ; attempt++) {
                BrokerSettings resolved = withPickedPorts(settings);
                try {
                    return startResolved(resolved, timeout, lock);
                } catch (BrokerStartException e) {
                    if (!picksPorts || attempt >= PICKED_PORT_ATTEMPTS || !isBindFailure(e)) {
                        throw e;
                    }
                    LOG.info("A picked port was taken before Kafka could bind it, picking again: {}", e.getMessage());
                }
            }
        } catch (RuntimeException | Error e) {
            lock.close();
            throw e;
        }
    }

    /** {@code host:port} of the PLAINTEXT listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return settings.host() + ":" + settings.port();
    }

    public int port() {
        return settings.port();
    }

    public int controllerPort() {
        return settings.controllerPort();
    }

    public Path dataDir() {
        return settings.dataDir();
    }

    public String clusterId() {
        return clusterId;
    }

    /** The settings this broker runs with, free ports replaced by the ones picked: start these again to restart. */
    public BrokerSettings settings() {
        return settings;
    }

    /** Shuts the broker down cleanly and waits until it has; its ports and data dir are free afterwards. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long startNanos = System.nanoTime();
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            dataDirLock.close();
        }
        LOG.info("Embedded Kafka at {} stopped in {} ms", bootstrapServers(), millisSince(startNanos));
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", cluster " + clusterId + ", " + dataDir() + "]";
    }

    private static EmbeddedKafka startResolved(BrokerSettings settings, Duration timeout, DataDirLock lock) {
        long startNanos = System.nanoTime();
        long deadlineNanos = startNanos + timeout.toNanos();
        KafkaConfig config = kafkaConfig(settings);
        String clusterId = formatIfNeeded(settings, config);
        KafkaRaftServer server = null;
        try {
            // The constructor already reads and checks meta.properties; startup binds the ports.
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            awaitReady(settings, config.nodeId(), deadlineNanos, timeout);
        } catch (Exception | Error e) {
            if (server != null && !stopAfterFailedStart(server)) {
                // Its threads may still write to the data dir: keep it locked rather than let a retry share it.
                lock.keepUntilJvmExit();
                LOG.warn("Embedded Kafka on {} did not stop within {} s after failing to start; its data dir stays "
                        + "locked until this JVM exits", settings.dataDir(), FAILED_START_CLEANUP_TIMEOUT.toSeconds());
            }
            if (e instanceof Error) {
                throw (Error) e;
            }
            throw e instanceof BrokerStartException ? (BrokerStartException) e : startFailure(settings, (Exception) e);
        }
        LOG.info("Embedded Kafka ready at {}:{} (controller port {}, cluster {}, data dir {}) in {} ms",
                settings.host(), settings.port(), settings.controllerPort(), clusterId, settings.dataDir(),
                millisSince(startNanos));
        return new EmbeddedKafka(settings, clusterId, server, lock);
    }

    /** Single-node defaults; {@link BrokerSettings#overrides()} go on top. */
    static Map<String, String> brokerProperties(BrokerSettings s) {
        String hostPort = s.host() + ":" + s.port();
        String controllerHostPort = s.host() + ":" + s.controllerPort();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        // A static voter set: the quorum is this one node, nothing to discover.
        p.put("controller.quorum.voters", NODE_ID + "@" + controllerHostPort);
        p.put("listeners", BROKER_LISTENER + "://" + hostPort + "," + CONTROLLER_LISTENER + "://" + controllerHostPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + hostPort);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", s.dataDir().resolve(LOG_DIR_NAME).toString());

        // One replica of everything: the internal topics' defaults of 3 cannot be met by one node.
        p.put("num.partitions", Integer.toString(s.partitions()));
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // One node gains nothing from 50 coordinator partitions; fewer make the first group and transaction faster.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");

        p.put("group.initial.rebalance.delay.ms", "0");
        // lem creates its topics explicitly (and waits for their leaders); a typo must not create a topic.
        p.put("auto.create.topics.enable", "false");
        // The event log is the source of truth that results are replayed from: the local store keeps it.
        p.put("log.retention.ms", "-1");
        // The cleaner allocates this buffer up front (128 MiB by default); a local broker needs far less.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        // Each segment's offset and time index is a sparse file of this size, mapped into memory; the first write to
        // it faults, and the kernel reads around the page, zero-filling up to the disk's read-ahead (8 MiB on the
        // VMs lem is developed on) on the request handler thread. With Kafka's 10 MiB that was 0.75-0.9 s of broker
        // CPU for every new aggregator or replay (18 fresh internal partitions), 0.1-0.2 s with 1 MiB (aggregator
        // bench, BENCHMARKS.md). 1 MiB still indexes over 300 MiB of log before the segment rolls. A log dir written
        // with larger indexes keeps a size that fits them: Kafka cannot load or recover an index into a smaller one.
        Path logDir = s.dataDir().resolve(LOG_DIR_NAME);
        int indexBytes = SegmentIndexSize.forLogDir(logDir);
        if (indexBytes != SegmentIndexSize.SMALL_BYTES && !s.overrides().containsKey("log.index.size.max.bytes")) {
            LOG.info("{} has a segment index over {} bytes (written by an earlier lem?): "
                    + "log.index.size.max.bytes is {} so that Kafka can load it", logDir, SegmentIndexSize.SMALL_BYTES,
                    indexBytes);
        }
        p.put("log.index.size.max.bytes", Integer.toString(indexBytes));

        // An idle broker must cost the machine it measures next to nothing (measured idle, this 2-core VM: 3.9 % of
        // a core with Kafka's defaults, 1.8 % with these). One node has no other controller to prove liveness to,
        // so the controller's no-op metadata record every 500 ms (and the fetches and appends it causes) is off;
        // 8 request handler and 3 network threads, each waking every 300 ms, serve no more than 2 do here.
        p.put("metadata.max.idle.interval.ms", "0");
        p.put("num.io.threads", "2");
        p.put("num.network.threads", "1");

        p.putAll(s.overrides());
        return p;
    }

    private static KafkaConfig kafkaConfig(BrokerSettings settings) {
        try {
            return new KafkaConfig(brokerProperties(settings), false);
        } catch (ConfigException | IllegalArgumentException e) {
            throw new BrokerStartException("Invalid embedded Kafka configuration (check the overrides): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Formats the log dirs unless they already are, and returns the cluster id: the stored one when formatted, a new
     * one otherwise. Refuses dirs that belong to another node or to more than one cluster, before Kafka sees them.
     */
    private static String formatIfNeeded(BrokerSettings settings, KafkaConfig config) {
        Set<String> dirs = new LinkedHashSet<>(config.logDirs());
        dirs.add(config.metadataLogDir());
        Set<String> clusterIds = new LinkedHashSet<>();
        List<String> unformatted = new ArrayList<>();
        for (String dir : dirs) {
            Path metaFile = Path.of(dir, MetaPropertiesEnsemble.META_PROPERTIES_NAME);
            if (!Files.exists(metaFile)) {
                unformatted.add(dir);
                continue;
            }
            MetaProperties meta = readMeta(metaFile);
            if (meta.version() != MetaPropertiesVersion.V1 || meta.clusterId().isEmpty()) {
                throw new BrokerStartException("Data dir " + settings.dataDir() + " holds " + metaFile
                        + " of another kind of cluster (" + meta + "), not of a KRaft cluster; use an empty data dir");
            }
            if (meta.nodeId().isEmpty() || meta.nodeId().getAsInt() != config.nodeId()) {
                String node = meta.nodeId().isPresent() ? "node " + meta.nodeId().getAsInt() : "no node";
                throw new BrokerStartException("Data dir " + settings.dataDir() + " was formatted by another cluster: "
                        + metaFile + " belongs to " + node + " of cluster " + meta.clusterId().get()
                        + ", this broker is node " + config.nodeId() + "; use an empty data dir");
            }
            clusterIds.add(meta.clusterId().get());
        }
        if (clusterIds.size() > 1) {
            throw new BrokerStartException("Data dir " + settings.dataDir()
                    + " mixes log dirs formatted by different clusters " + clusterIds + "; use an empty data dir");
        }
        if (unformatted.isEmpty()) {
            return clusterIds.iterator().next();
        }
        if (!clusterIds.isEmpty() && unformatted.contains(config.metadataLogDir())) {
            // A fresh metadata log would silently forget every topic of the formatted log dirs.
            throw new BrokerStartException("Data dir " + settings.dataDir() + " has formatted log dirs of cluster "
                    + clusterIds.iterator().next() + " but its metadata log dir " + config.metadataLogDir()
                    + " is not formatted; it is damaged or was formatted by another cluster");
        }
        String clusterId = clusterIds.isEmpty() ? Uuid.randomUuid().toString() : clusterIds.iterator().next();
        format(settings, config, clusterId, unformatted.size() < dirs.size());
        return clusterId;
    }

    private static MetaProperties readMeta(Path metaFile) {
        try {
            return new MetaProperties.Builder(PropertiesUtils.readPropertiesFile(metaFile.toString())).build();
        } catch (IOException | RuntimeException e) {
            throw new BrokerStartException("Cannot read " + metaFile + ": " + e.getMessage()
                    + "; the data dir is damaged or not a Kafka data dir", e);
        }
    }

    private static void format(BrokerSettings settings, KafkaConfig config, String clusterId, boolean someFormatted) {
        // The Formatter reports to a PrintStream (stdout by default); keep that out of the user's terminal.
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(out)
                    .setNodeId(config.nodeId())
                    .setClusterId(clusterId)
                    .setDirectories(new LinkedHashSet<>(config.logDirs()))
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setControllerListenerName(config.controllerListenerNames().get(0))
                    .setUnstableFeatureVersionsEnabled(config.unstableFeatureVersionsEnabled())
                    // Combined mode: the controller needs the bootstrap snapshot; voters are static, from config.
                    .setWriteBootstrapSnapshot(true)
                    .setHasDynamicQuorum(false)
                    .setIgnoreFormatted(someFormatted)
                    .run();
        } catch (Exception e) {
            throw new BrokerStartException("Cannot format Kafka storage in data dir " + settings.dataDir() + ": "
                    + rootMessage(e), e);
        }
        LOG.debug("Formatted {}: {}", settings.dataDir(), report.toString(StandardCharsets.UTF_8).trim());
    }

    private static void awaitReady(BrokerSettings settings, int nodeId, long deadlineNanos, Duration timeout)
            throws InterruptedException {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.host() + ":" + settings.port());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "lem-embedded-broker-readiness");
        Throwable lastFailure = null;
        try (Admin admin = Admin.create(props)) {
            while (true) {
                long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
                if (remainingMs <= 0) {
                    throw new BrokerStartException("Embedded Kafka at " + settings.host() + ":" + settings.port()
                            + " did not answer describeCluster within " + timeout.toMillis() + " ms"
                            + (lastFailure == null ? "" : ": " + rootMessage(lastFailure)), lastFailure);
                }
                try {
                    Collection<Node> nodes = admin.describeCluster(
                                    new DescribeClusterOptions().timeoutMs((int) Math.min(remainingMs, 10_000)))
                            .nodes().get();
                    if (nodes.stream().anyMatch(n -> n.id() == nodeId)) {
                        return;
                    }
                } catch (ExecutionException e) {
                    lastFailure = e.getCause();
                }
                // Answered, but without this broker (not yet unfenced) or timed out: ask again shortly.
                LockSupport.parkNanos(READY_POLL_INTERVAL.toNanos());
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for the embedded Kafka to start");
                }
            }
        }
    }

    /**
     * Releases whatever a failed start had taken (ports, log dir locks), without hanging the caller forever.
     *
     * @return whether it stopped in time
     */
    private static boolean stopAfterFailedStart(KafkaRaftServer server) {
        Thread stopper = new Thread(() -> {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                LOG.debug("Error while stopping a Kafka that failed to start", e);
            }
        }, "lem-embedded-kafka-cleanup");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(FAILED_START_CLEANUP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !stopper.isAlive();
    }

    private static BrokerStartException startFailure(BrokerSettings settings, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new BrokerStartException("Interrupted while starting the embedded Kafka", e);
        }
        if (isBindFailure(e)) {
            return new BrokerStartException("Embedded Kafka could not bind its ports (" + BROKER_LISTENER + " "
                    + settings.host() + ":" + settings.port() + ", " + CONTROLLER_LISTENER + " " + settings.host()
                    + ":" + settings.controllerPort() + "), is a port already in use? " + rootMessage(e), e);
        }
        return new BrokerStartException("Embedded Kafka failed to start on data dir " + settings.dataDir() + ": "
                + rootMessage(e), e);
    }

    private static void prepareDataDir(Path dataDir) {
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new BrokerStartException("Data dir " + dataDir + " exists but is not a directory");
        }
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new BrokerStartException("Cannot create data dir " + dataDir + ": " + e, e);
        }
        if (!Files.isWritable(dataDir)) {
            throw new BrokerStartException("Data dir " + dataDir + " is not writable");
        }
    }

    private static void checkHost(String host) {
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new BrokerStartException("Unknown host " + host + " for the embedded Kafka listeners", e);
        }
    }

    private static void checkPortFree(String host, int port, String listener) {
        try (ServerSocket socket = new ServerSocket()) {
            // Like Kafka's own sockets, so that a port a just-closed broker left in TIME_WAIT counts as free.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new BrokerStartException(listener + " port " + port + " on " + host
                    + " is not available (already in use?): " + e.getMessage(), e);
        }
    }

    private static BrokerSettings withPickedPorts(BrokerSettings settings) {
        int port = settings.port() != 0 ? settings.port() : pickFreePort(settings.host(), settings.controllerPort());
        int controllerPort = settings.controllerPort() != 0 ? settings.controllerPort()
                : pickFreePort(settings.host(), port);
        return settings.withPort(port).withControllerPort(controllerPort);
    }

    private static int pickFreePort(String host, int notThisOne) {
        for (int attempt = 0; attempt < 10; attempt++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(host, 0));
                if (socket.getLocalPort() != notThisOne) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new BrokerStartException("Cannot find a free port on " + host + ": " + e.getMessage(), e);
            }
        }
        throw new BrokerStartException("Cannot find a second free port on " + host);
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException
                    || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.getClass().getName();
        return root == e ? message : e.getMessage() + " (cause: " + message + ")";
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
