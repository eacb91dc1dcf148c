package io.lem.aggregator.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lem.api.event.EventKey;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The aggregator's HTTP interface (JDK {@code com.sun.net.httpserver}): results as JSON, health, Prometheus metrics.
 *
 * <p><b>Routing.</b> Every single-key request asks {@link KafkaStreams#queryMetadataForKey} which instance holds the
 * key. If that is this instance it reads its local store; otherwise it forwards the request to the owner's
 * {@code application.server} with the header {@value #FORWARDED_HEADER} and relays the answer as it is. A forwarded
 * request is answered from local state only: if ownership moved in between, the answer is 503, never a second hop.
 * {@code GET /experiments} fans out: every instance holds the experiments of its partitions, so the receiving instance
 * asks every instance that hosts the experiment store (from {@link KafkaStreams#streamsMetadataForStore}) for its local
 * rows ({@code /experiments?scope=local}, forwarded), reads its own, and merges them sorted by experiment id. If any
 * instance cannot answer, the list is 503 rather than silently incomplete.
 *
 * <p><b>Errors.</b> Not RUNNING, a rebalance, a store still restoring, or an unreachable owner: 503 with
 * {@code Retry-After: 1} and a JSON {@code error}. Unknown experiment or process: 404 naming it. Unknown path: 404
 * listing the endpoints. With a bearer token configured, every endpoint but {@code /health} answers 401 without
 * {@code Authorization: Bearer <token>}; forwarded requests carry the token.
 */
public final class QueryServer implements AutoCloseable {
    /** Marks a request one instance forwarded to another; its value is the forwarding instance. */
    public static final String FORWARDED_HEADER = "X-Lem-Forwarded-By";
    public static final List<String> ENDPOINTS = List.of(
            "GET /experiments",
            "GET /experiments/{id}",
            "GET /experiments/{id}/processes",
            "GET /experiments/{id}/processes/{n}",
            "GET /health",
            "GET /metrics");

    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
    private static final Duration FORWARD_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(10);
    private static final int HANDLER_THREADS = 8;
    private static final Serializer<String> KEYS = new StringSerializer();

    private final HttpServer server;
    private final ExecutorService handlers;
    private final ExecutorService clientExecutor;
    private final HttpClient client;
    private final HostInfo self;
    private final String bearerToken;
    private final ObjectMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private volatile Backend backend;
    private volatile boolean closed;

    /** What the server reads once Streams exists. */
    private record Backend(KafkaStreams streams, String applicationId, String eventsTopic, LagProbe lag) {
    }

    /** The aggregator's consumer lag on the events partitions this instance owns; negative when unknown. */
    @FunctionalInterface
    public interface LagProbe {
        long lag(KafkaStreams streams) throws Exception;
    }

    private QueryServer(HttpServer server, HostInfo self, String bearerToken) {
        this.server = server;
        this.self = self;
        this.bearerToken = bearerToken;
        this.handlers = Executors.newFixedThreadPool(HANDLER_THREADS, daemonThreads("lem-http"));
        this.clientExecutor = Executors.newFixedThreadPool(2, daemonThreads("lem-http-forward"));
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(FORWARD_CONNECT_TIMEOUT).executor(clientExecutor).build();
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
    }

    /**
     * Binds the server and starts answering: 503 on results until {@link #attach} hands it a Streams client.
     *
     * @param bindHost       address to listen on
     * @param port           port; 0 picks a free one
     * @param advertisedHost how other instances reach this one (the host part of {@code application.server})
     * @param bearerToken    required token, or null for none
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static QueryServer start(String bindHost, int port, String advertisedHost, String bearerToken) {
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindHost, port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bindHost + ":" + port + ": " + e.getMessage(), e);
        }
        QueryServer qs = new QueryServer(server, new HostInfo(advertisedHost, server.getAddress().getPort()),
                bearerToken);
        server.start();
        return qs;
    }

    /** Hands the server the Streams client it answers from (created with {@code application.server} = {@link #hostInfo()}). */
    public void attach(KafkaStreams streams, String applicationId, String eventsTopic, LagProbe lag) {
        this.backend = new Backend(Objects.requireNonNull(streams), applicationId, eventsTopic, lag);
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** This instance as other instances see it: the value of {@code application.server}. */
    public HostInfo hostInfo() {
        return self;
    }

    /** {@code http://<advertised host>:<port>}. */
    public URI url() {
        return URI.create("http://" + hostPort(self));
    }

    /** Stops listening at once (in-flight requests are cut) and releases the threads. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // JDK 17's stop(delay) always waits the whole delay (JDK-8304065); in-flight exchanges are short anyway.
        server.stop(0);
        handlers.shutdownNow();
        clientExecutor.shutdownNow();
        try {
            handlers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------------------ plumbing

    private void handle(HttpExchange exchange) {
        HttpAnswer answer;
        try {
            answer = route(exchange);
        } catch (QueryException e) {
            answer = error(e.status(), e.getMessage(), e.details());
        } catch (InvalidStateStoreException e) {
            answer = error(503, "results are not queryable right now (rebalance or restore in progress): "
                    + e.getMessage(), Map.of());
        } catch (StreamsException e) {
            answer = error(503, "Kafka Streams cannot answer right now: " + e.getMessage(), Map.of());
        } catch (RuntimeException e) {
            LOG.warn("internal error answering {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            answer = error(500, "internal error: " + e, Map.of());
        }
        write(exchange, answer);
    }

    private static void write(HttpExchange exchange, HttpAnswer answer) {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            if (head || answer.body().length == 0) {
                exchange.sendResponseHeaders(answer.status(), -1);
            } else {
                exchange.sendResponseHeaders(answer.status(), answer.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer.body());
                }
            }
        } catch (IOException e) {
            LOG.debug("client went away before the answer was written: {}", e.toString());
        }
    }

    private HttpAnswer route(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return error(405, "method " + method + " not allowed; the API is read-only",
                    Map.of("endpoints", ENDPOINTS)).withHeader("Allow", "GET, HEAD");
        }
        List<String> path;
        try {
            path = PathCodec.segments(exchange.getRequestURI().getRawPath());
        } catch (IllegalArgumentException e) {
            return notFoundPath(exchange.getRequestURI().getRawPath());
        }
        if (path.equals(List.of("health"))) {
            return health();
        }
        if (!authorized(exchange)) {
            return error(401, "missing or wrong bearer token (send Authorization: Bearer <token>)", Map.of())
                    .withHeader("WWW-Authenticate", "Bearer realm=\"lem\"");
        }
        boolean forwarded = exchange.getRequestHeaders().getFirst(FORWARDED_HEADER) != null;
        String rawPathAndQuery = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
        if (path.equals(List.of("metrics"))) {
            return metrics();
        }
        if (path.isEmpty() || !path.get(0).equals("experiments")) {
            return notFoundPath(exchange.getRequestURI().getRawPath());
        }
        switch (path.size()) {
            case 1: {
                String query = exchange.getRequestURI().getRawQuery();
                boolean local = forwarded || (query != null && List.of(query.split("&")).contains("scope=local"));
                return local ? localList() : list();
            }
            case 2:
                return experiment(path.get(1), forwarded, rawPathAndQuery);
            case 3:
                if (path.get(2).equals("processes")) {
                    return processes(path.get(1), forwarded, rawPathAndQuery);
                }
                break;
            case 4:
                if (path.get(2).equals("processes")) {
                    int n;
                    try {
                        n = Integer.parseInt(path.get(3));
                    } catch (NumberFormatException e) {
                        throw QueryException.notFound("process index must be an integer, was '" + path.get(3) + "'",
                                Map.of("experimentId", path.get(1)));
                    }
                    return process(path.get(1), n, forwarded, rawPathAndQuery);
                }
                break;
            default:
                break;
        }
        return notFoundPath(exchange.getRequestURI().getRawPath());
    }

    private boolean authorized(HttpExchange exchange) {
        if (bearerToken == null) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        String expected = "Bearer " + bearerToken;
        return header != null && MessageDigest.isEqual(header.trim().getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------------------------------------------ endpoints

    private HttpAnswer health() {
        Backend b = backend;
        KafkaStreams.State state = b == null ? null : b.streams().state();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", state == KafkaStreams.State.RUNNING ? "UP" : "DOWN");
        body.put("state", state == null ? "STARTING" : state.name());
        body.put("instance", hostPort(self));
        if (b != null) {
            body.put("applicationId", b.applicationId());
        }
        return jsonAnswer(state == KafkaStreams.State.RUNNING ? 200 : 503, body);
    }

    private HttpAnswer experiment(String id, boolean forwarded, String rawPathAndQuery) {
        KafkaStreams streams = running();
        KeyQueryMetadata owner = owner(streams, Results.EXPERIMENT_STORE, id);
        if (!isSelf(owner)) {
            return forwardOrRefuse(owner, forwarded, rawPathAndQuery, id);
        }
        Object summary = localGet(streams, Results.EXPERIMENT_STORE, owner.partition(), id);
        if (summary == null) {
            throw unknownExperiment(id);
        }
        return jsonAnswer(200, Results.experimentJson(summary));
    }

    private HttpAnswer process(String id, int n, boolean forwarded, String rawPathAndQuery) {
        KafkaStreams streams = running();
        String key = EventKey.of(id, n);
        KeyQueryMetadata owner = owner(streams, Results.PROCESS_STORE, key);
        if (!isSelf(owner)) {
            return forwardOrRefuse(owner, forwarded, rawPathAndQuery, key);
        }
        Object summary = localGet(streams, Results.PROCESS_STORE, owner.partition(), key);
        if (summary == null) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("experimentId", id);
            details.put("processIndex", n);
            throw QueryException.notFound("no process " + n + " in experiment '" + id + "'", details);
        }
        return jsonAnswer(200, Results.processJson(summary));
    }

    /**
     * All processes of an experiment. The experiment's owner knows which process indexes exist; each process summary
     * is read where its key lives (the event topic's partition of {@code id/n}), locally or from its owner.
     */
    private HttpAnswer processes(String id, boolean forwarded, String rawPathAndQuery) {
        KafkaStreams streams = running();
        KeyQueryMetadata owner = owner(streams, Results.EXPERIMENT_STORE, id);
        if (!isSelf(owner)) {
            return forwardOrRefuse(owner, forwarded, rawPathAndQuery, id);
        }
        Object summary = localGet(streams, Results.EXPERIMENT_STORE, owner.partition(), id);
        if (summary == null) {
            throw unknownExperiment(id);
        }
        List<Integer> indexes = Results.processIndexes(summary);
        Map<Integer, CompletableFuture<Object>> parts = new TreeMap<>();
        for (int n : indexes) {
            String key = EventKey.of(id, n);
            KeyQueryMetadata processOwner = owner(streams, Results.PROCESS_STORE, key);
            if (isSelf(processOwner)) {
                Object ps = localGet(streams, Results.PROCESS_STORE, processOwner.partition(), key);
                parts.put(n, CompletableFuture.completedFuture(ps == null ? null : Results.processJson(ps)));
            } else {
                String path = "/experiments/" + PathCodec.encodeSegment(id) + "/processes/" + n;
                parts.put(n, fetch(processOwner.activeHost(), path).thenApply(a -> {
                    if (a.status() == 404) {
                        return null;
                    }
                    if (a.status() != 200) {
                        throw QueryException.unavailable("instance " + hostPort(processOwner.activeHost())
                                + " answered " + a.status() + " for process " + key + ": " + a.bodyText().strip());
                    }
                    return readTree(a.body());
                }));
            }
        }
        List<Object> out = new ArrayList<>();
        parts.forEach((n, future) -> {
            Object value = join(future);
            if (value != null) {
                out.add(value);
            }
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("experimentId", id);
        body.put("processes", out);
        return jsonAnswer(200, body);
    }

    /** The merged list over all instances. */
    private HttpAnswer list() {
        KafkaStreams streams = running();
        Collection<StreamsMetadata> hosts = streams.streamsMetadataForStore(Results.EXPERIMENT_STORE);
        if (hosts.isEmpty()) {
            throw QueryException.unavailable("no instance hosts the experiment store yet (assignment in progress)");
        }
        Map<String, CompletableFuture<Map<String, Object>>> parts = new TreeMap<>();
        for (StreamsMetadata host : hosts) {
            if (host.hostInfo().equals(self)) {
                parts.put(hostPort(self), CompletableFuture.completedFuture(localRows(streams)));
            } else {
                parts.put(hostPort(host.hostInfo()), fetch(host.hostInfo(), "/experiments?scope=local").thenApply(a -> {
                    if (a.status() != 200) {
                        throw QueryException.unavailable("instance " + hostPort(host.hostInfo()) + " answered "
                                + a.status() + " for its experiments: " + a.bodyText().strip());
                    }
                    JsonNode tree = readTree(a.body());
                    Map<String, Object> rows = new LinkedHashMap<>();
                    for (JsonNode row : tree.path("experiments")) {
                        rows.put(Results.listRowId(row), row);
                    }
                    return rows;
                }));
            }
        }
        TreeMap<String, Object> merged = new TreeMap<>();
        parts.values().forEach(f -> merged.putAll(join(f)));
        return jsonAnswer(200, Map.of("experiments", new ArrayList<>(merged.values())));
    }

    /** This instance's rows only (the fan-out target of {@link #list()}). */
    private HttpAnswer localList() {
        return jsonAnswer(200, Map.of("experiments", new ArrayList<>(localRows(running()).values())));
    }

    private Map<String, Object> localRows(KafkaStreams streams) {
        ReadOnlyKeyValueStore<String, Object> store = streams.store(StoreQueryParameters
                .fromNameAndType(Results.EXPERIMENT_STORE, QueryableStoreTypes.<String, Object>keyValueStore()));
        TreeMap<String, Object> rows = new TreeMap<>();
        try (KeyValueIterator<String, Object> it = store.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value != null) {
                    rows.put(kv.key, Results.listRowJson(kv.value));
                }
            });
        }
        return rows;
    }

    private HttpAnswer metrics() {
        PrometheusText text = new PrometheusText();
        Backend b = backend;
        KafkaStreams.State state = b == null ? null : b.streams().state();
        text.gauge("lem_aggregator_up", "1 when this aggregator instance is RUNNING, else 0",
                state == KafkaStreams.State.RUNNING ? 1 : 0,
                "state", state == null ? "STARTING" : state.name());
        text.declare("lem_aggregator_lag_records", "Records of the events topic not yet consumed on the partitions "
                + "this instance owns: sum of (end offset - committed offset)", "gauge");
        text.declare("lem_aggregator_events_processed_total", "Records of the events topic this instance has read "
                + "and handed to the topology since it started (Streams main consumer, records-consumed-total)",
                "counter");
        Results.declareExperimentMetrics(text);
        if (b != null) {
            try {
                long lag = b.lag() == null ? -1 : b.lag().lag(b.streams());
                if (lag >= 0) {
                    text.gauge("lem_aggregator_lag_records", null, lag);
                }
            } catch (Exception e) {
                LOG.debug("lag unavailable: {}", e.toString());
            }
            text.counter("lem_aggregator_events_processed_total", null, eventsConsumed(b));
            if (state == KafkaStreams.State.RUNNING) {
                try {
                    ReadOnlyKeyValueStore<String, Object> store = b.streams().store(StoreQueryParameters
                            .fromNameAndType(Results.EXPERIMENT_STORE,
                                    QueryableStoreTypes.<String, Object>keyValueStore()));
                    TreeMap<String, Object> experiments = new TreeMap<>();
                    try (KeyValueIterator<String, Object> it = store.all()) {
                        it.forEachRemaining(kv -> {
                            if (kv.value != null) {
                                experiments.put(kv.key, kv.value);
                            }
                        });
                    }
                    experiments.forEach((id, summary) -> Results.experimentMetrics(text, id, summary));
                } catch (InvalidStateStoreException e) {
                    LOG.debug("experiment store not queryable for metrics: {}", e.toString());
                }
            }
        }
        return HttpAnswer.text(200, HttpAnswer.PROMETHEUS, text.render());
    }

    /**
     * Sum over this client's main consumers of records-consumed-total for the events topic. Kafka 4 reports per-topic
     * fetch metrics twice, tagged with the topic name as it is and (deprecated, KIP-1109) with dots replaced by
     * underscores: the exact name is used when present.
     */
    private static double eventsConsumed(Backend b) {
        String dotted = b.eventsTopic();
        String underscored = dotted.replace('.', '_');
        double exact = 0;
        double legacy = 0;
        boolean exactSeen = false;
        for (Map.Entry<MetricName, ? extends Metric> e : b.streams().metrics().entrySet()) {
            MetricName name = e.getKey();
            if (!"records-consumed-total".equals(name.name())
                    || !"consumer-fetch-manager-metrics".equals(name.group())) {
                continue;
            }
            String topic = name.tags().get("topic");
            String clientId = name.tags().getOrDefault("client-id", "");
            if (topic == null || clientId.endsWith("-restore-consumer")
                    || !(e.getValue().metricValue() instanceof Number number)) {
                continue;
            }
            if (topic.equals(dotted)) {
                exact += number.doubleValue();
                exactSeen = true;
            } else if (topic.equals(underscored)) {
                legacy += number.doubleValue();
            }
        }
        return exactSeen ? exact : legacy;
    }

    // ------------------------------------------------------------------------------------------------------ routing

    private KafkaStreams running() {
        Backend b = backend;
        if (b == null) {
            throw QueryException.unavailable("the aggregator is starting");
        }
        KafkaStreams.State state = b.streams().state();
        if (state != KafkaStreams.State.RUNNING) {
            throw QueryException.unavailable("the aggregator is " + state
                    + (state == KafkaStreams.State.REBALANCING ? " (partitions are being reassigned)" : ""));
        }
        return b.streams();
    }

    private static KeyQueryMetadata owner(KafkaStreams streams, String store, String key) {
        KeyQueryMetadata md = streams.queryMetadataForKey(store, key, KEYS);
        if (md == null || KeyQueryMetadata.NOT_AVAILABLE.equals(md) || md.activeHost() == null
                || HostInfo.unavailable().equals(md.activeHost())) {
            throw QueryException.unavailable("no instance owns " + key + " in " + store
                    + " right now (rebalance in progress)");
        }
        return md;
    }

    private boolean isSelf(KeyQueryMetadata md) {
        return self.equals(md.activeHost());
    }

    private static Object localGet(KafkaStreams streams, String store, int partition, String key) {
        ReadOnlyKeyValueStore<String, Object> kv = streams.store(StoreQueryParameters
                .fromNameAndType(store, QueryableStoreTypes.<String, Object>keyValueStore()).withPartition(partition));
        return kv.get(key);
    }

    private HttpAnswer forwardOrRefuse(KeyQueryMetadata owner, boolean forwarded, String rawPathAndQuery,
                                       String key) {
        if (forwarded) {
            // Another instance sent it here believing this one owns the key: ownership moved. No second hop.
            throw QueryException.unavailable(key + " is no longer on " + hostPort(self) + " (now on "
                    + hostPort(owner.activeHost()) + "); ownership is moving");
        }
        return join(fetch(owner.activeHost(), rawPathAndQuery));
    }

    /** GET {@code pathAndQuery} from another instance, marked forwarded, with the token; the answer as it came. */
    private CompletableFuture<HttpAnswer> fetch(HostInfo host, String pathAndQuery) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + hostPort(host) + pathAndQuery))
                .timeout(FORWARD_TIMEOUT)
                .header(FORWARDED_HEADER, hostPort(self))
                .header("Accept", "application/json")
                .GET();
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        throw QueryException.unavailable("instance " + hostPort(host) + " did not answer: "
                                + cause);
                    }
                    Map<String, String> headers = new LinkedHashMap<>();
                    response.headers().firstValue("Retry-After").ifPresent(v -> headers.put("Retry-After", v));
                    return new HttpAnswer(response.statusCode(),
                            response.headers().firstValue("Content-Type").orElse(HttpAnswer.JSON),
                            response.body(), headers);
                });
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(FORWARD_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw QueryException.unavailable("forwarding failed: " + cause);
        } catch (java.util.concurrent.TimeoutException e) {
            throw QueryException.unavailable("another instance did not answer within " + FORWARD_TIMEOUT.toSeconds()
                    + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw QueryException.unavailable("interrupted");
        }
    }

    // ------------------------------------------------------------------------------------------------------ answers

    private static QueryException unknownExperiment(String id) {
        return QueryException.notFound("no experiment '" + id + "'", Map.of("experimentId", id));
    }

    private HttpAnswer notFoundPath(String rawPath) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("path", rawPath);
        details.put("endpoints", ENDPOINTS);
        return error(404, "no such endpoint: " + rawPath, details);
    }

    private HttpAnswer error(int status, String message, Map<String, Object> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        body.putAll(details);
        HttpAnswer answer = jsonAnswer(status, body);
        return status == 503 ? answer.withHeader("Retry-After", "1") : answer;
    }

    private HttpAnswer jsonAnswer(int status, Object body) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            json.writeValue(out, body);
            out.write('\n');
            return new HttpAnswer(status, HttpAnswer.JSON, out.toByteArray(), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON", e);
        }
    }

    private JsonNode readTree(byte[] body) {
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw QueryException.unavailable("another instance sent unreadable JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String hostPort(HostInfo h) {
        return (h.host().contains(":") ? "[" + h.host() + "]" : h.host()) + ":" + h.port();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
