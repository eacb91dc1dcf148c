package io.lem.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.lem.aggregator.app.AggregatorApp;
import io.lem.aggregator.app.AggregatorSettings;
import io.lem.aggregator.app.GroupProgress;
import io.lem.aggregator.app.KafkaTopics;
import io.lem.aggregator.app.Replay;
import io.lem.aggregator.http.ResultsClient;
import io.lem.aggregator.model.ExperimentStatus;
import io.lem.aggregator.model.ExperimentSummary;
import io.lem.aggregator.model.ProcessSummary;
import io.lem.aggregator.topology.LemStores;
import io.lem.api.event.DecodeResult;
import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;
import io.lem.bench.SyntheticEvents.EncodedExperiment;
import io.lem.bench.SyntheticEvents.EncodedProcess;
import io.lem.broker.BrokerSettings;
import io.lem.broker.EmbeddedKafka;
import io.lem.events.kafka.EventFrames;
import io.lem.events.kafka.LemTopics;
import io.lem.runner.events.KafkaSinkSettings;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Throughput, freshness and replay time of the lem aggregator ({@link AggregatorApp}, exactly-once v2) on a real
 * single-node Kafka ({@link EmbeddedKafka}) in this JVM, against a plain-consumer baseline. See bench/README.md.
 *
 * <ol>
 *   <li>generates E experiments × P processes of synthetic events with a realistic mix and encodes them to record
 *       values (not timed), starts the broker in a temp dir, creates the events topic (6 partitions) with the
 *       aggregator's own {@link KafkaTopics#ensure}, produces everything (idempotent, acks=all, keyed
 *       {@code experimentId/processIndex}) and checks that every record arrived;</li>
 *   <li><b>live throughput</b>: starts {@link AggregatorApp} and times it from its first processed record
 *       ({@link FirstProcessed}) until the group's committed offsets reach the topic's end offsets and its
 *       repartition topic is consumed to its end ({@link Replay#consumedUpTo});</li>
 *   <li><b>freshness</b>: while it is caught up, produces a new experiment at a steady rate, every send time known,
 *       and polls the experiment store (interactive query) for each event's appearance; the HTTP API's experiment
 *       JSON ({@code processes[].output_tokens}) and the process store are polled as cross-checks;</li>
 *   <li><b>replay</b>: {@link Replay#start} into a fresh application id and {@link Replay#awaitCaughtUp}, timed;</li>
 *   <li><b>ratio</b>: interleaved rounds, each timing over the same records as 1. a fresh aggregator, the
 *       {@link StreamsCeiling} and the baseline, a plain {@link KafkaConsumer} (read_committed) that decodes every
 *       event with {@link EventCodec} and counts per key; the verdict is the median of the rounds'
 *       aggregator / baseline ratios.</li>
 * </ol>
 *
 * <pre>
 * usage: AggregatorBench [E P N] [--experiments E (20)] [--processes P (4)] [--events-per-process N (12500)]
 *        [--decode-steps N (127)] [--fresh-rate EVENTS_PER_S (3000)] [--fresh-seconds S (10)]
 *        [--fresh-processes N (4)] [--commit-interval-ms MS] [--cache-mb MB] [--threads N]
 *        [--skip-freshness] [--skip-baseline] [--skip-replay] [--keep-dir] [--stack-sampling]
 *        [--warmup-experiments N (4)] [--warmup-rounds MAX (4) | --no-warmup] [--ratio-rounds N (3)] [--ratio-detail]
 * </pre>
 * {@code --stack-sampling} samples the stream threads' stacks every 10 ms during 1., 2. and 3. and prints where they
 * spend their time, waiting included (a diagnosis run: the sampling costs a little CPU).
 * {@code --commit-interval-ms}, {@code --cache-mb} and {@code --threads} change the aggregator's settings from its
 * defaults; the report then labels every figure TUNED. Exit status 0 when every target passes, 1 when one fails, 2 on
 * a usage error.
 */
public final class AggregatorBench {

    static final double TARGET_EVENTS_PER_S = 100_000;
    static final double TARGET_RATIO = 0.5;
    static final double TARGET_FRESHNESS_P95_MS = 250;
    static final double TARGET_REPLAY_S_PER_MILLION = 15;

    private static final String TOPIC = LemTopics.EVENTS;
    private static final int PARTITIONS = 6;
    private static final String FRESH_ID = "bench-fresh";
    private static final String WARMUP_TOPIC = "lem.bench.warmup";
    private static final String WARMUP_APPLICATION_ID = "lem-bench-warmup";
    /** A warm-up round after which the JIT compiler threads used less than this share of one core ends the warm-up. */
    static final int WARMUP_QUIET_JIT_PERCENT = 10;
    private static final long IQ_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long HTTP_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Kafka Streams' stream threads ({@code <client id>-StreamThread-<n>}), not their clients' I/O threads. */
    private static final Pattern STREAM_THREAD = Pattern.compile("StreamThread-\\d+$");

    private AggregatorBench() {
    }

    /** Command-line options. */
    record Options(int experiments, int processes, int eventsPerProcess, int decodeSteps, int recordBytes, int freshRate,
                   int freshSeconds, int freshProcesses, Integer commitIntervalMs, Integer cacheMb, Integer threads,
                   boolean freshness, boolean baseline, boolean replay, boolean keepDir, boolean stackSampling,
                   int warmupExperiments, int warmupRounds, int ratioRounds, boolean ratioDetail) {
        static final String USAGE = "[E P N] [--experiments E (20)] [--processes P (4)] "
                + "[--events-per-process N (12500)] [--decode-steps N (127)] [--record-bytes B (65536)] "
                + "[--fresh-rate EVENTS_PER_S (3000)] "
                + "[--fresh-seconds S (10)] [--fresh-processes N (4)] [--commit-interval-ms MS] [--cache-mb MB] "
                + "[--threads N] [--skip-freshness] [--skip-baseline] [--skip-replay] [--keep-dir] [--stack-sampling] "
                + "[--warmup-experiments N (4)] [--warmup-rounds MAX (4) | --no-warmup] [--ratio-rounds N (3)] "
                + "[--ratio-detail]";

        private static final List<String> TUNING = List.of("--commit-interval-ms", "--cache-mb", "--threads");

        boolean tuned() {
            return commitIntervalMs != null || cacheMb != null || threads != null || !streamsProperties().isEmpty();
        }

        /**
         * More Kafka Streams/client properties for the aggregators under test, for experiments:
         * {@code -Dlem.bench.streams-properties=max.poll.records=5000;buffered.records.per.partition=5000}.
         */
        Map<String, String> streamsProperties() {
            return keyValues("lem.bench.streams-properties");
        }

        static Options parse(String[] args) {
            Map<String, Integer> v = new HashMap<>(Map.of("--experiments", 20, "--processes", 4,
                    "--events-per-process", 12_500, "--decode-steps", 127, "--fresh-rate", 3_000,
                    "--fresh-seconds", 10, "--fresh-processes", 4, "--warmup-experiments", 4,
                    "--warmup-rounds", 4, "--ratio-rounds", 3));
            v.put("--record-bytes", KafkaSinkSettings.MAX_RECORD_BYTES);
            Map<String, Integer> tuning = new HashMap<>();
            boolean freshness = true;
            boolean baseline = true;
            boolean replay = true;
            boolean keep = false;
            boolean sampling = false;
            boolean warmup = true;
            boolean ratioDetail = false;
            List<Integer> positional = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    value = arg.substring(eq + 1);
                    arg = arg.substring(0, eq);
                }
                switch (arg) {
                    case "--skip-freshness":
                        freshness = false;
                        continue;
                    case "--skip-baseline":
                        baseline = false;
                        continue;
                    case "--skip-replay":
                        replay = false;
                        continue;
                    case "--keep-dir":
                        keep = true;
                        continue;
                    case "--stack-sampling":
                        sampling = true;
                        continue;
                    case "--no-warmup":
                        warmup = false;
                        continue;
                    case "--ratio-detail":
                        ratioDetail = true;
                        continue;
                    default:
                        break;
                }
                if (arg.startsWith("--")) {
                    if (!v.containsKey(arg) && !TUNING.contains(arg)) {
                        throw new IllegalArgumentException("unknown option " + arg);
                    }
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        value = args[++i];
                    }
                    int n = positive(arg, value);
                    if (v.containsKey(arg)) {
                        v.put(arg, n);
                    } else {
                        tuning.put(arg, n);
                    }
                } else {
                    positional.add(positive("size", arg));
                }
            }
            if (positional.size() > 3) {
                throw new IllegalArgumentException("at most three sizes: experiments, processes, events per process");
            }
            String[] names = {"--experiments", "--processes", "--events-per-process"};
            for (int i = 0; i < positional.size(); i++) {
                v.put(names[i], positional.get(i));
            }
            return new Options(v.get("--experiments"), v.get("--processes"), v.get("--events-per-process"),
                    v.get("--decode-steps"), v.get("--record-bytes"), v.get("--fresh-rate"), v.get("--fresh-seconds"),
                    v.get("--fresh-processes"), tuning.get("--commit-interval-ms"), tuning.get("--cache-mb"),
                    tuning.get("--threads"), freshness, baseline, replay, keep, sampling,
                    warmup ? v.get("--warmup-experiments") : 0, v.get("--warmup-rounds"), v.get("--ratio-rounds"),
                    ratioDetail);
        }

        private static int positive(String name, String value) {
            try {
                int n = Integer.parseInt(value.replace("_", ""));
                if (n < 1) {
                    throw new IllegalArgumentException(name + " must be >= 1, was " + value);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": not a whole number: " + value);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
            // a malformed -Dlem.bench.streams-properties or -Dlem.bench.broker-properties is a usage error too
            options.streamsProperties();
            keyValues("lem.bench.broker-properties");
        } catch (IllegalArgumentException e) {
            System.err.println("usage: AggregatorBench " + Options.USAGE + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        boolean pass = new AggregatorBench.Run(options).run();
        System.exit(pass ? 0 : 1);
    }

    /** One run of the bench: its state and the figures it collected. */
    private static final class Run {
        private final Options o;
        private final List<String> summary = new ArrayList<>();
        private boolean allPass = true;
        private EmbeddedKafka broker;
        private Admin admin;
        private GroupProgress progress;
        private Map<TopicPartition, Long> bulkEnds;
        private long bulkEvents;
        private long freshEventsProduced;
        private final Map<String, Long> expectedEvents = new TreeMap<>();
        private double liveRate = Double.NaN;
        /**
         * When the last {@link #awaitConsumed} first saw the events' offsets committed (0: already on its first check):
         * what follows is the experiment level's hop, the repartition topic read, folded and committed.
         */
        private long eventsCommittedNanos;

        Run(Options options) {
            this.o = options;
        }

        boolean run() throws Exception {
            String label = o.tuned() ? "TUNED" : "DEFAULTS";
            printf("lem aggregator bench: %d experiments x %d processes x >= %,d events; %d cores, Java %s, max heap "
                            + "%d MiB, load average %s%n", o.experiments(), o.processes(), o.eventsPerProcess(),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                    Runtime.getRuntime().maxMemory() >> 20, loadAverage());

            // ---- generate and encode: not timed
            long g0 = System.nanoTime();
            List<EncodedExperiment> experiments = new ArrayList<>();
            for (int e = 0; e < o.experiments(); e++) {
                experiments.add(SyntheticEvents.experiment(String.format(Locale.ROOT, "bench-exp-%03d", e), e + 1L,
                        o.processes(), o.eventsPerProcess(), o.decodeSteps(), e * 3_600_000_000_000L));
            }
            long bytes = 0;
            Map<String, Long> types = new TreeMap<>();
            for (EncodedExperiment e : experiments) {
                bulkEvents += e.events();
                bytes += e.bytes();
                expectedEvents.put(e.id, e.events());
                types.merge("ExperimentStarted", 1L, Long::sum);
                types.merge("ExperimentCompleted", 1L, Long::sum);
                e.processes.forEach(p -> p.types.forEach((t, n) -> types.merge(t, n, Long::sum)));
            }
            printf("generated and encoded %,d events (%,d bytes of values, %.0f bytes/event) in %.1f s (not timed)%n",
                    bulkEvents, bytes, (double) bytes / bulkEvents, seconds(g0));
            StringBuilder mix = new StringBuilder();
            types.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(t -> mix.append(String.format(Locale.ROOT, " %s %.2f%%", t.getKey(),
                            100.0 * t.getValue() / bulkEvents)));
            printf("  mix:%s%n", mix);

            Path dir = Files.createTempDirectory("lem-aggregator-bench");
            try {
                startBroker(dir);
                produceBulk(experiments);
                experiments = null; // the records are on the broker now; let the heap have them back

                AggregatorSettings settings = settings(dir);
                warmUp(settings, dir);
                printSettings(settings, label);
                try (AggregatorApp app = live(settings, label)) {
                    if (o.freshness()) {
                        freshness(app, label);
                    }
                    printf("%nclosing the live aggregator (the replay and the baseline run alone)%n");
                }
                if (o.replay()) {
                    replay(settings, label);
                }
                if (o.baseline()) {
                    ratio(settings, dir, label);
                }
            } finally {
                closeQuietly();
                if (o.keepDir()) {
                    printf("kept %s%n", dir);
                } else {
                    deleteRecursively(dir);
                }
            }
            printf("%n==== summary (%s; load average now %s) ====%n", label, loadAverage());
            summary.forEach(AggregatorBench::println);
            printf("overall: %s%n", allPass ? "PASS" : "FAIL");
            return allPass;
        }

        // ------------------------------------------------------------------------------------------ setup

        private void startBroker(Path dir) throws InterruptedException {
            long t0 = System.nanoTime();
            Map<String, String> brokerProperties = keyValues("lem.bench.broker-properties");
            broker = EmbeddedKafka.start(BrokerSettings.defaults(dir.resolve("kafka")).withPartitions(PARTITIONS)
                    .withOverrides(brokerProperties));
            if (!brokerProperties.isEmpty()) {
                printf("embedded broker overrides (experiment): %s%n", brokerProperties);
            }
            admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
            progress = new GroupProgress(admin, Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers()), Duration.ofSeconds(30));
            int partitions = KafkaTopics.ensure(admin, TOPIC, PARTITIONS, (short) -1, Duration.ofSeconds(60));
            printf("%nembedded Kafka %s ready in %.1f s (data in %s); topic %s: %d partitions, leaders elected%n",
                    broker.bootstrapServers(), seconds(t0), dir, TOPIC, partitions);
        }

        private KafkaProducer<String, byte[]> producer(int lingerMs, int batchBytes) {
            Map<String, Object> p = new HashMap<>();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
            p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, batchBytes);
            p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "lem-bench-producer");
            return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        }

        private void produceBulk(List<EncodedExperiment> experiments) throws InterruptedException {
            AtomicLong acked = new AtomicLong();
            AtomicReference<Exception> failure = new AtomicReference<>();
            long[] sent = {0, 0}; // records, events
            long t0 = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = producer(20, 256 * 1024)) {
                for (EncodedExperiment e : experiments) {
                    e.forEachInWriteOrder(o.recordBytes(), (key, value, headers, events) -> {
                        producer.send(new ProducerRecord<>(TOPIC, null, key, value, headers), (metadata, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            } else {
                                acked.incrementAndGet();
                            }
                        });
                        sent[0]++;
                        sent[1] += events;
                    });
                }
                producer.flush();
            }
            double s = seconds(t0);
            if (failure.get() != null) {
                throw new IllegalStateException("a record was not acknowledged: " + failure.get(), failure.get());
            }
            bulkEnds = progress.endOffsets(progress.partitions(TOPIC));
            long onTopic = bulkEnds.values().stream().mapToLong(Long::longValue).sum();
            if (acked.get() != sent[0] || onTopic != sent[0] || sent[1] != bulkEvents) {
                throw new IllegalStateException("delivery check failed: generated " + bulkEvents + " events, sent "
                        + sent[1] + " in " + sent[0] + " records, acknowledged " + acked.get() + " records, on the topic "
                        + onTopic);
            }
            printf("produced %,d events in %,d records (%.1f events per record: up to %,d bytes each, as a runner's "
                            + "spool delivery packs them) in %.1f s (%,.0f events/s; idempotent, acks=all, linger 20 ms, "
                            + "batch 256 KiB; not timed); all acknowledged, end offsets sum to %,d: %s%n", sent[1],
                    sent[0], (double) sent[1] / sent[0], o.recordBytes(), s, sent[1] / s,
                    onTopic, new TreeMap<>(bulkEnds.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                            en -> en.getKey().partition(), Map.Entry::getValue))));
        }

        private AggregatorSettings settings(Path dir) {
            AggregatorSettings s = AggregatorSettings.defaults(broker.bootstrapServers())
                    .withStateDir(dir.resolve("state"))
                    .withNativeLibraryDir(dir.resolve("native"))
                    .withBind("127.0.0.1", 0)
                    .withStartTimeout(Duration.ofSeconds(120));
            if (o.commitIntervalMs() != null) {
                s = s.withCommitInterval(Duration.ofMillis(o.commitIntervalMs()));
            }
            if (o.cacheMb() != null) {
                s = s.withCacheMaxBytes((long) o.cacheMb() << 20);
            }
            if (o.threads() != null) {
                s = s.withNumStreamThreads(o.threads());
            }
            if (!o.streamsProperties().isEmpty()) {
                s = s.withClientProperties(o.streamsProperties());
            }
            return s;
        }

        private void printSettings(AggregatorSettings settings, String label) {
            Properties p = AggregatorApp.streamsProperties(settings, new HostInfo("127.0.0.1", 0));
            printf("%naggregator settings (%s): %s=%s, %s=%s ms, %s=%s bytes, %s=%s, application id %s%s%n", label,
                    StreamsConfig.PROCESSING_GUARANTEE_CONFIG, p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                    StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG),
                    StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG,
                    p.get(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG),
                    StreamsConfig.NUM_STREAM_THREADS_CONFIG, p.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG),
                    settings.applicationId(), o.streamsProperties().isEmpty() ? ""
                            : ", more properties " + o.streamsProperties());
        }

        // ------------------------------------------------------------------------------------------ warm-up

        /**
         * Not timed: rounds of other experiments, on a topic of their own, folded to the end by an aggregator of their
         * own (another application id, state dir and topics), until the JIT compiler threads used less than
         * {@value #WARMUP_QUIET_JIT_PERCENT} % of one core during a round's folding (at most
         * {@code --warmup-rounds}), then closed. The live phase then measures the aggregator with its code compiled,
         * as a long-running one is, instead of the JVM's first seconds: after one round of 200,000 events the
         * compiler threads still took 4-7 s of CPU during the 1,000,000 live events, on the two cores the aggregator
         * and the broker share. (They stay busy for minutes: Kafka's code paths that run per poll, per commit or per
         * request reach the C2 thresholds slowly; the code cache is not being flushed, -XX:-UseCodeCacheFlushing
         * changed nothing.) {@code --no-warmup} measures the cold start.
         */
        private void warmUp(AggregatorSettings settings, Path dir) throws InterruptedException {
            int n = o.warmupExperiments();
            if (n == 0) {
                printf("%n---- warm-up: none (--no-warmup): the live phase starts with a cold JIT ----%n");
                return;
            }
            printf("%n---- warm-up (not timed): rounds of %d other experiments on %s folded by aggregator %s until the "
                    + "JIT compiler threads use < %d%% of a core while folding (at most %d rounds) ----%n", n,
                    WARMUP_TOPIC, WARMUP_APPLICATION_ID, WARMUP_QUIET_JIT_PERCENT, o.warmupRounds());
            long t0 = System.nanoTime();
            KafkaTopics.ensure(admin, WARMUP_TOPIC, PARTITIONS, (short) -1, Duration.ofSeconds(60));
            AggregatorSettings warm = settings.withApplicationId(WARMUP_APPLICATION_ID)
                    .withStateDir(dir.resolve("state-warmup")).withTopics(WARMUP_TOPIC, WARMUP_TOPIC + ".dlq");
            long total = 0;
            try (AggregatorApp app = AggregatorApp.start(warm);
                 KafkaProducer<String, byte[]> producer = producer(20, 256 * 1024)) {
                for (int round = 1; round <= o.warmupRounds(); round++) {
                    long sent = 0;
                    for (int e = 0; e < n; e++) {
                        int id = (round - 1) * n + e;
                        EncodedExperiment x = SyntheticEvents.experiment(
                                String.format(Locale.ROOT, "bench-warm-%03d", id), 1_000L + id, o.processes(),
                                o.eventsPerProcess(), o.decodeSteps(), -(id + 1) * 3_600_000_000_000L);
                        sent += x.events();
                        x.forEachInWriteOrder(o.recordBytes(), (key, value, headers, events) ->
                                producer.send(new ProducerRecord<>(WARMUP_TOPIC, null, key, value, headers)));
                    }
                    producer.flush();
                    Map<TopicPartition, Long> ends = progress.endOffsets(progress.partitions(WARMUP_TOPIC));
                    ThreadCpu cpu0 = ThreadCpu.take();
                    awaitConsumed(app, ends, Duration.ofMinutes(10));
                    ThreadCpu cpu1 = ThreadCpu.take();
                    total += sent;
                    double wallS = (cpu1.wallNanos() - cpu0.wallNanos()) / 1e9;
                    double jitPercent = 100.0 * cpu1.jitSince(cpu0) / 1e9 / wallS;
                    printf("  round %d: %,d events folded in %.1f s (%,.0f events/s), JIT compiler threads %.0f%% of a "
                            + "core%n", round, sent, wallS, sent / wallS, jitPercent);
                    if (jitPercent < WARMUP_QUIET_JIT_PERCENT) {
                        break;
                    }
                }
            }
            printf("  warm-up done: %,d events in %.1f s with producing them, aggregator closed%n", total, seconds(t0));
        }

        // ------------------------------------------------------------------------------------------ 1. live

        private AggregatorApp live(AggregatorSettings settings, String label) throws InterruptedException {
            printf("%n---- 1. live throughput: AggregatorApp.start until the group's committed offsets reach the end "
                    + "offsets (and its repartition topic is consumed) ----%n");
            StackSampler sampler = startSampler();
            long t0 = System.nanoTime();
            FirstProcessed first = FirstProcessed.watch(settings.applicationId());
            AggregatorApp app = AggregatorApp.start(settings);
            long tRunning = System.nanoTime();
            ThreadCpu cpu0;
            try {
                cpu0 = first.awaitFirst(TimeUnit.MINUTES.toMillis(2));
            } catch (RuntimeException | InterruptedException e) {
                app.close();
                throw e;
            } finally {
                first.close();
            }
            long tFirst = cpu0.wallNanos();
            try {
                awaitConsumed(app, bulkEnds, Duration.ofMinutes(10));
            } catch (RuntimeException | InterruptedException e) {
                app.close();
                throw e;
            }
            long tCaught = System.nanoTime();
            ThreadCpu cpu1 = ThreadCpu.take();
            reportSampler(sampler);
            double fromFirst = (tCaught - tFirst) / 1e9;
            double fromStart = (tCaught - t0) / 1e9;
            liveRate = bulkEvents / fromFirst;
            printf("start() returned RUNNING after %.2f s; the first record was processed %.2f s after start() (a "
                            + "stream thread works as soon as its own tasks are ready); caught up %.2f s after that "
                            + "(%.2f s from start())%n", (tRunning - t0) / 1e9, (tFirst - t0) / 1e9, fromFirst,
                    fromStart);
            printf("events/s folded end to end: %,.0f from the first record (%,.0f including the start-up)%n", liveRate,
                    bulkEvents / fromStart);
            printf("CPU by thread group, start() to caught up:%n");
            cpu1.reportSince(cpu0, 10).forEach(l -> println("  " + l));
            printCpuPerEvent(cpu0, cpu1, bulkEvents, tCaught - tFirst);
            printThreadMetrics(app);
            checkResults(app, "live", expectedEvents);
            verdict(label + "  live throughput, exactly_once_v2", String.format(Locale.ROOT,
                    "%,.0f events/s (%,d events in %.2f s from the first record to committed at the end)",
                    liveRate, bulkEvents, fromFirst), ">= " + String.format(Locale.ROOT, "%,.0f", TARGET_EVENTS_PER_S),
                    liveRate >= TARGET_EVENTS_PER_S);
            return app;
        }

        /**
         * Kafka Streams' own account of the stream thread since it started: the share of its time in poll, process,
         * commit and punctuate, and the records per poll and per process call (few records per call means the
         * per-call bookkeeping is paid per handful of records).
         */
        private void printThreadMetrics(AggregatorApp app) {
            printf("Kafka Streams thread metrics (recent window):%s%n", metrics(app,
                    name -> "stream-thread-metrics".equals(name.group()),
                    List.of("poll-ratio", "process-ratio", "commit-ratio", "punctuate-ratio", "poll-records-avg",
                            "process-records-avg", "commit-latency-avg", "commit-total")));
            // the main consumer's fetches: a long fetch latency means the thread waited on the broker in poll
            printf("main consumer fetches (recent window):%s%n", metrics(app, name -> {
                String client = name.tags().getOrDefault("client-id", "");
                return "consumer-fetch-manager-metrics".equals(name.group()) && !name.tags().containsKey("topic")
                        && !name.tags().containsKey("partition") && client.endsWith("-consumer")
                        && !client.endsWith("restore-consumer");
            }, List.of("fetch-latency-avg", "fetch-latency-max", "fetch-rate", "records-per-request-avg",
                    "fetch-size-avg", "fetch-throttle-time-avg")));
            // what the aggregator wrote (changelogs, repartition topic, DLQ) and the transactions it ran: the broker
            // spends its request handlers' CPU on these, on the cores the stream thread needs
            printf("producer, since start:%s%n", metrics(app, name -> "producer-metrics".equals(name.group()),
                    List.of("record-send-total", "outgoing-byte-total", "request-total", "batch-size-avg",
                            "txn-commit-time-ns-total", "txn-send-offsets-time-ns-total")));
        }

        /** " name value" for each of {@code names} among the app's metrics that {@code which} selects, summed. */
        private static String metrics(AggregatorApp app, Predicate<MetricName> which, List<String> names) {
            Map<String, Double> m = new TreeMap<>();
            app.streams().metrics().forEach((name, metric) -> {
                if (which.test(name) && metric.metricValue() instanceof Double d) {
                    m.merge(name.name(), d, Double::sum);
                }
            });
            StringBuilder line = new StringBuilder();
            for (String k : names) {
                if (m.containsKey(k)) {
                    line.append(String.format(Locale.ROOT, " %s %.3g", k, m.get(k)));
                }
            }
            return line.toString();
        }

        /**
         * Waits for {@link Replay#consumedUpTo}, the aggregator's own caught-up condition, polling every 50 ms (5 ms once
         * the events' offsets are committed). While a committed offset is still below its target only the committed
         * offsets are read (one Admin call): {@code consumedUpTo} would also read every lagging partition with a probe
         * consumer to rule out a gap of transaction markers, which costs CPU the aggregator is being timed on.
         */
        private void awaitConsumed(AggregatorApp app, Map<TopicPartition, Long> targets, Duration timeout)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<TopicPartition, String> behind = Map.of();
            eventsCommittedNanos = 0;
            while (true) {
                if (committedReach(app.applicationId(), targets)) {
                    if (eventsCommittedNanos == 0) {
                        eventsCommittedNanos = System.nanoTime(); // before the probe reads the repartition topic
                    }
                    if ((behind = Replay.consumedUpTo(progress, app.applicationId(), targets)).isEmpty()) {
                        return;
                    }
                }
                KafkaStreams.State state = app.state();
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING
                        || state == KafkaStreams.State.PENDING_ERROR) {
                    throw new IllegalStateException("aggregator stopped: " + state + " " + app.failure());
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("not caught up within " + timeout + ": " + behind);
                }
                // every 50 ms through the backlog; in the tail (the events committed, the experiment level still
                // to commit) every 5 ms, so that the pass's end is seen within 5 ms rather than up to 50 late
                Thread.sleep(eventsCommittedNanos == 0 ? 50 : 5);
            }
        }

        /**
         * CPU per event, which other load on the machine changes far less than the wall-clock rates: the stream
         * threads' own and the whole process's (broker, JIT and GC included), and how busy the stream threads were.
         */
        private static void printCpuPerEvent(ThreadCpu cpu0, ThreadCpu cpu1, long events, long wallNanos) {
            long streams = cpu1.cpuSince(cpu0, STREAM_THREAD);
            printf("CPU per event: %.1f us in the stream threads (their CPU = %.0f%% of the wall time), %.1f us for the "
                            + "whole process; at that cost one core's worth of stream-thread time would fold at most "
                            + "%,.0f events/s%n", streams / 1e3 / events, 100.0 * streams / wallNanos,
                    cpu1.processCpuSince(cpu0) / 1e3 / events, events * 1e9 / streams);
        }

        private boolean committedReach(String groupId, Map<TopicPartition, Long> targets)
                throws InterruptedException {
            Map<TopicPartition, Long> committed = progress.committed(groupId);
            for (Map.Entry<TopicPartition, Long> e : targets.entrySet()) {
                if (e.getValue() > 0 && committed.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                    return false;
                }
            }
            return true;
        }

        private StackSampler startSampler() {
            if (!o.stackSampling()) {
                return null;
            }
            StackSampler sampler = new StackSampler(STREAM_THREAD, 10);
            sampler.start();
            return sampler;
        }

        private static void reportSampler(StackSampler sampler) throws InterruptedException {
            if (sampler != null) {
                printf("stream threads, sampled:%n");
                sampler.stopAndReport(20).forEach(l -> println("  " + l));
            }
        }

        /** Every experiment in the experiment store, completed, with exactly the events written. */
        private void checkResults(AggregatorApp app, String what, Map<String, Long> expected) {
            ReadOnlyKeyValueStore<String, ExperimentSummary> store = experimentStore(app.streams());
            int completed = 0;
            long events = 0;
            long missing = 0;
            long duplicates = 0;
            List<String> wrong = new ArrayList<>();
            for (Map.Entry<String, Long> e : expected.entrySet()) {
                ExperimentSummary s = store.get(e.getKey());
                if (s == null) {
                    wrong.add(e.getKey() + ": absent");
                    continue;
                }
                long n = 0;
                for (ProcessSummary p : all(s)) {
                    n += p.events();
                    missing += p.missingSeqCount();
                    duplicates += p.duplicates();
                }
                events += n;
                if (s.status() == ExperimentStatus.COMPLETED) {
                    completed++;
                }
                if (n != e.getValue()) {
                    wrong.add(e.getKey() + ": " + n + " events, expected " + e.getValue());
                }
            }
            printf("check (%s, from the experiment store): %d of %d experiments completed, %,d events applied, "
                            + "%d missing seqs, %d duplicates%s%n", what, completed, expected.size(), events, missing,
                    duplicates, wrong.isEmpty() ? "" : "; WRONG: " + wrong);
            if (!wrong.isEmpty()) {
                throw new IllegalStateException("the " + what + " aggregator's results are wrong: " + wrong);
            }
        }

        // ------------------------------------------------------------------------------------------ 2. freshness

        private void freshness(AggregatorApp app, String label) throws Exception {
            int total = o.freshRate() * o.freshSeconds();
            // short batches (31 decode steps) so the HTTP cross-check has many BatchCompleted events to time
            EncodedExperiment fresh = SyntheticEvents.experiment(FRESH_ID, 4242, o.freshProcesses(),
                    Math.max(1, total / o.freshProcesses()), 31, 999 * 3_600_000_000_000L);
            List<EncodedProcess> procs = fresh.processes;
            int p = procs.size();
            long streamEvents = procs.stream().mapToLong(x -> x.values.length).sum();
            printf("%n---- 2. freshness: %,d new events of experiment %s (%d processes) at %,d events/s, each send "
                            + "time recorded; pollers look for each event in the stores ----%n", streamEvents,
                    FRESH_ID, p, o.freshRate());
            AtomicLongArray[] sendNanos = new AtomicLongArray[p];
            for (int i = 0; i < p; i++) {
                sendNanos[i] = new AtomicLongArray(procs.get(i).values.length);
            }
            // the global send order: round robin over the processes, each in seq order (as processes run in parallel)
            int longest = procs.stream().mapToInt(x -> x.values.length).max().orElse(0);
            int[] orderP = new int[(int) streamEvents];
            int[] orderSeq = new int[(int) streamEvents];
            int n = 0;
            for (int i = 0; i < longest; i++) {
                for (int k = 0; k < p; k++) {
                    if (i < procs.get(k).values.length) {
                        orderP[n] = k;
                        orderSeq[n++] = i;
                    }
                }
            }

            AtomicReference<Exception> failure = new AtomicReference<>();
            try (KafkaProducer<String, byte[]> producer = producer(5, 16 * 1024)) {
                // the launcher's ExperimentStarted first, and wait until the experiment exists in the store
                producer.send(new ProducerRecord<>(TOPIC, fresh.launcherKey, fresh.started)).get(30, TimeUnit.SECONDS);
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (experimentOrNull(app.streams()) == null) {
                    if (System.nanoTime() - until > 0) {
                        throw new IllegalStateException(FRESH_ID + " did not appear in the experiment store");
                    }
                    Thread.sleep(5);
                }
                StackSampler sampler = startSampler();
                ThreadCpu cpu0 = ThreadCpu.take();
                Poller iqExperiment = new ExperimentStorePoller(app.streams(), procs, sendNanos);
                Poller iqProcess = new ProcessStorePoller(app.streams(), procs, sendNanos);
                Poller http = new HttpPoller(new ResultsClient(app.httpUrl(), null), procs, sendNanos);
                List<Poller> pollers = List.of(iqExperiment, iqProcess, http);
                pollers.forEach(Thread::start);

                long interval = 1_000_000_000L / o.freshRate();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    long due = t0 + i * interval;
                    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                    EncodedProcess proc = procs.get(orderP[i]);
                    sendNanos[orderP[i]].set(orderSeq[i], System.nanoTime());
                    producer.send(new ProducerRecord<>(TOPIC, proc.key, proc.values[orderSeq[i]]), (m, error) -> {
                        if (error != null) {
                            failure.compareAndSet(null, error);
                        }
                    });
                }
                double sendSeconds = seconds(t0);
                producer.send(new ProducerRecord<>(TOPIC, fresh.launcherKey, fresh.completed));
                producer.flush();
                if (failure.get() != null) {
                    throw new IllegalStateException("a fresh event was not acknowledged: " + failure.get());
                }
                freshEventsProduced = streamEvents + 2;
                expectedEvents.put(FRESH_ID, freshEventsProduced);
                printf("sent %,d events in %.2f s (%,.0f events/s; producer idempotent, acks=all, linger 5 ms as the "
                        + "runner's)%n", n, sendSeconds, n / sendSeconds);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (Poller poller : pollers) {
                    while (!poller.done() && System.nanoTime() - deadline < 0) {
                        Thread.sleep(20);
                    }
                    poller.finish();
                }
                for (Poller poller : pollers) {
                    poller.join(5_000);
                }
                ThreadCpu cpu1 = ThreadCpu.take();
                reportSampler(sampler);
                printf("CPU by thread group while streaming and polling (the pollers and the HTTP server's lem-http "
                        + "threads are the bench's own cost):%n");
                cpu1.reportSince(cpu0, 10).forEach(l -> println("  " + l));
                Stats experimentStats = iqExperiment.stats();
                printf("method: t_send = System.nanoTime() just before producer.send() of each event; t_seen = the "
                        + "first poll that finds it (same clock, same JVM); latency = t_seen - t_send.%n");
                printf("  [A] experiment store lem-experiment-summaries by interactive query, every %d ms: process "
                                + "p's summary inside the experiment counts n events = seqs 0..n-1 (one partition, in "
                                + "order), so every event is timed: %s%n", IQ_POLL_NANOS / 1_000_000,
                        experimentStats.describe());
                printf("  [B] HTTP GET /experiments/%s every %d ms after the previous answer: processes[p]"
                                + ".output_tokens reaching a batch's cumulative total times that batch's BatchCompleted "
                                + "(t_seen = when the answer arrived): %s%n", FRESH_ID, HTTP_POLL_NANOS / 1_000_000,
                        http.stats().describe());
                printf("  [C] process store lem-process-summaries by interactive query, every %d ms (no repartition "
                        + "hop): %s%n", IQ_POLL_NANOS / 1_000_000, iqProcess.stats().describe());
                printf("  Under exactly_once_v2 a process summary reaches the experiment store only when the process "
                        + "summary is written and forwarded right before a commit (asked for once a change waited %d ms "
                        + "while caught up) and that transaction commits, so "
                        + "[A] and [B] are bounded below by the commit interval (about half of it on average); "
                        + "interactive queries read the stores' caches, i.e. state not yet committed to Kafka.%n",
                        app.settings().commitInterval().toMillis());
                verdict(label + "  freshness p95, experiment store [A]", String.format(Locale.ROOT,
                                "%.0f ms (p50 %.0f, p99 %.0f; %,d events at %,d/s)", experimentStats.p(95),
                                experimentStats.p(50), experimentStats.p(99), experimentStats.count(), o.freshRate()),
                        "<= " + (int) TARGET_FRESHNESS_P95_MS + " ms",
                        experimentStats.count() > 0 && experimentStats.unseen == 0
                                && experimentStats.p(95) <= TARGET_FRESHNESS_P95_MS);
            }
        }

        private ExperimentSummary experimentOrNull(KafkaStreams streams) {
            try {
                return experimentStore(streams).get(FRESH_ID);
            } catch (InvalidStateStoreException e) {
                return null;
            }
        }

        // ------------------------------------------------------------------------------------------ 4. baseline

        /**
         * A plain {@code KafkaConsumer} (read_committed, all partitions assigned, {@code max.poll.records} 1000) that
         * decodes every event of the bulk with {@link EventCodec} and counts per key.
         */
        private Pass baseline() {
            Map<String, Object> p = new HashMap<>();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, "lem-bench-baseline");
            EventCodec codec = new EventCodec();
            Map<String, long[]> perKey = new HashMap<>();
            long events = 0;
            long[] malformed = {0};
            ThreadCpu cpu0 = ThreadCpu.take();
            long t0 = System.nanoTime();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer.assign(bulkEnds.keySet());
                consumer.seekToBeginning(bulkEnds.keySet());
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (!reached(consumer, bulkEnds)) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("baseline did not reach the end offsets");
                    }
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        if (r.offset() >= bulkEnds.get(new TopicPartition(r.topic(), r.partition()))) {
                            continue; // written after the bulk (freshness): not part of the comparison
                        }
                        String key = new String(r.key(), StandardCharsets.UTF_8);
                        long[] counters = perKey.computeIfAbsent(key, k -> new long[2]);
                        events += EventFrames.forEachEvent(r.headers(), r.value(), (value, offset, length, line) -> {
                            try {
                                DecodeResult d = codec.decode(value, offset, length);
                                counters[0]++;
                                counters[1] = Math.max(counters[1], d.envelope().seq());
                            } catch (EventFormatException e) {
                                malformed[0]++;
                            }
                        });
                    }
                }
            }
            long t1 = System.nanoTime();
            ThreadCpu cpu1 = ThreadCpu.take();
            if (events != bulkEvents || malformed[0] != 0) {
                throw new IllegalStateException("baseline read " + events + " events (" + malformed[0]
                        + " malformed), expected " + bulkEvents + " good ones");
            }
            return Pass.of("baseline", events, t1 - t0, cpu0, cpu1, Pattern.compile("^main$"));
        }

        private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> ends) {
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                if (consumer.position(e.getKey()) < e.getValue()) {
                    return false;
                }
            }
            return true;
        }

        // ------------------------------------------------------------------------------------------ 4. ratio

        /**
         * The aggregator's rate as a share of a plain consumer's, measured like for like: the JIT keeps compiling
         * for minutes on this machine and whichever side runs later runs faster, so the two are timed in
         * interleaved rounds over the same bulk, the order reversed every other round, and the verdict is the
         * median of the rounds' ratios. Each round also times {@link StreamsCeiling}, the least a Kafka Streams
         * application on the aggregator's settings can do with the events, which bounds what any topology could
         * reach.
         */
        private void ratio(AggregatorSettings settings, Path dir, String label) throws InterruptedException {
            printf("%n---- 4. ratio to a plain consumer: %d interleaved rounds over the same %,d events, each timing a "
                    + "fresh aggregator, the Streams ceiling (decode and count, no stores) and the baseline (a plain "
                    + "KafkaConsumer that decodes and counts), every other round in reverse order ----%n",
                    o.ratioRounds(), bulkEvents);
            List<Double> toBaseline = new ArrayList<>();
            List<Double> ceilingToBaseline = new ArrayList<>();
            List<Double> toCeiling = new ArrayList<>();
            for (int round = 1; round <= o.ratioRounds(); round++) {
                List<String> order = round % 2 == 1 ? List.of("aggregator", "ceiling", "baseline")
                        : List.of("baseline", "ceiling", "aggregator");
                Map<String, Pass> passes = new HashMap<>();
                for (String what : order) {
                    BrokerRequestTime requests0 = o.ratioDetail() ? BrokerRequestTime.take() : null;
                    Pass pass = switch (what) {
                        case "aggregator" -> aggregatorPass(settings, dir, round);
                        case "ceiling" -> ceilingPass(settings, dir, round);
                        default -> baseline();
                    };
                    passes.put(what, pass);
                    printf("  round %d %s%n", round, pass);
                    if (o.ratioDetail()) {
                        pass.cpuByThreadGroup().forEach(l -> println("      " + l));
                        printf("      broker request handlers, start-up and close included: %s%n",
                                BrokerRequestTime.take().since(requests0, 8));
                    }
                }
                double a = passes.get("aggregator").rate();
                double c = passes.get("ceiling").rate();
                double b = passes.get("baseline").rate();
                toBaseline.add(a / b);
                ceilingToBaseline.add(c / b);
                toCeiling.add(a / c);
                printf("  round %d: aggregator / baseline %.2f, ceiling / baseline %.2f, aggregator / ceiling %.2f%n",
                        round, a / b, c / b, a / c);
            }
            double median = median(toBaseline);
            String info = String.format(Locale.ROOT, "%-62s %.2f (rounds: %s); aggregator / ceiling %.2f",
                    label + "  Streams ceiling / baseline (median):", median(ceilingToBaseline),
                    list(ceilingToBaseline), median(toCeiling));
            println(info);
            summary.add(info);
            verdict(label + "  aggregator / baseline throughput (median)", String.format(Locale.ROOT,
                    "%.2f (rounds: %s)", median, list(toBaseline)), ">= " + TARGET_RATIO, median >= TARGET_RATIO);
        }

        /** A fresh aggregator (own application id and state) folding the bulk from the start, timed from RUNNING. */
        private Pass aggregatorPass(AggregatorSettings settings, Path dir, int round) throws InterruptedException {
            AggregatorSettings s = settings.withApplicationId(String.format(Locale.ROOT, "lem-bench-ratio-%03d", round))
                    .withStateDir(dir.resolve("state-ratio-" + round));
            FirstProcessed first = FirstProcessed.watch(s.applicationId());
            try (first; AggregatorApp app = AggregatorApp.start(s)) {
                ThreadCpu cpu0 = first.awaitFirst(TimeUnit.MINUTES.toMillis(2));
                StackSampler sampler = startSampler(); // the timed window only: not the tasks' start-up
                long t0 = cpu0.wallNanos();
                awaitConsumed(app, bulkEnds, Duration.ofMinutes(10));
                long t1 = System.nanoTime();
                ThreadCpu cpu1 = ThreadCpu.take();
                reportSampler(sampler);
                if (o.ratioDetail() && eventsCommittedNanos != 0) {
                    printf("      events' offsets committed after %.2f s; the experiment level caught up %.2f s later%n",
                            (eventsCommittedNanos - t0) / 1e9, (t1 - eventsCommittedNanos) / 1e9);
                }
                if (o.ratioDetail()) {
                    printThreadMetrics(app);
                }
                checkResults(app, "ratio round " + round, bulkExpected());
                return Pass.of("aggregator", bulkEvents, t1 - t0, cpu0, cpu1, STREAM_THREAD);
            }
        }

        /**
         * {@link StreamsCeiling} with the aggregator's settings, timed from its first processed record until its
         * commits reach the end.
         */
        private Pass ceilingPass(AggregatorSettings settings, Path dir, int round) throws InterruptedException {
            AggregatorSettings s = settings.withApplicationId(String.format(Locale.ROOT, "lem-bench-ceiling-%03d", round))
                    .withStateDir(dir.resolve("state-ceiling-" + round));
            FirstProcessed first = FirstProcessed.watch(s.applicationId());
            try (first; StreamsCeiling ceiling = StreamsCeiling.start(s, Duration.ofMinutes(2))) {
                ThreadCpu cpu0 = first.awaitFirst(TimeUnit.MINUTES.toMillis(2));
                long t0 = cpu0.wallNanos();
                long deadline = t0 + TimeUnit.MINUTES.toNanos(10);
                while (!committedReach(s.applicationId(), bulkEnds)) {
                    KafkaStreams.State state = ceiling.state();
                    if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
                        throw new IllegalStateException("the Streams ceiling stopped: " + state);
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("the Streams ceiling did not catch up within 10 minutes");
                    }
                    Thread.sleep(50);
                }
                long t1 = System.nanoTime();
                ThreadCpu cpu1 = ThreadCpu.take();
                if (ceiling.events() < bulkEvents || ceiling.malformed() != 0) {
                    throw new IllegalStateException("the Streams ceiling decoded " + ceiling.events() + " events ("
                            + ceiling.malformed() + " malformed), expected at least " + bulkEvents + " good ones");
                }
                return Pass.of("ceiling", bulkEvents, t1 - t0, cpu0, cpu1, STREAM_THREAD);
            }
        }

        /** The bulk's experiments and their event counts (not the freshness experiment's). */
        private Map<String, Long> bulkExpected() {
            Map<String, Long> bulk = new TreeMap<>(expectedEvents);
            bulk.remove(FRESH_ID);
            return bulk;
        }

        // ------------------------------------------------------------------------------------------ 3. replay

        private void replay(AggregatorSettings settings, String label) throws InterruptedException {
            printf("%n---- 3. replay: Replay.start (fresh application id, reads the whole topic) and awaitCaughtUp, "
                    + "timed together ----%n");
            StackSampler sampler = startSampler();
            ThreadCpu cpu0 = ThreadCpu.take();
            long t0 = System.nanoTime();
            Replay replay = Replay.start(settings, null);
            long tRunning = System.nanoTime();
            try {
                replay.awaitCaughtUp(Duration.ofMinutes(10));
                long t1 = System.nanoTime();
                ThreadCpu cpu1 = ThreadCpu.take();
                reportSampler(sampler);
                // every event of the topic (offsets count records, and the bulk's are packed)
                long events = expectedEvents.values().stream().mapToLong(Long::longValue).sum();
                double s = (t1 - t0) / 1e9;
                double perMillion = s * 1_000_000 / events;
                printf("replay %s: RUNNING after %.2f s, caught up after %.2f s in all: %,d events (%s), %,.0f "
                                + "events/s; %.2f s per 1,000,000 events%n", replay.applicationId(),
                        (tRunning - t0) / 1e9, s, events, freshEventsProduced > 0
                                ? "the bulk and the freshness experiment" : "the bulk", events / s, perMillion);
                printf("CPU by thread group:%n");
                cpu1.reportSince(cpu0, 8).forEach(l -> println("  " + l));
                printCpuPerEvent(cpu0, cpu1, events, t1 - t0);
                checkResults(replay.app(), "replay", expectedEvents);
                verdict(label + "  replay of 1,000,000 events", String.format(Locale.ROOT,
                                "%.2f s (%,d events in %.2f s, start-up included)", perMillion, events, s),
                        "<= " + (int) TARGET_REPLAY_S_PER_MILLION + " s", perMillion <= TARGET_REPLAY_S_PER_MILLION);
            } finally {
                replay.closeAndCleanUp();
            }
        }

        // ------------------------------------------------------------------------------------------ helpers

        private void verdict(String what, String value, String target, boolean pass) {
            allPass &= pass;
            String line = String.format(Locale.ROOT, "%-62s %s  (target %s)  %s", what + ":", value, target,
                    pass ? "PASS" : "FAIL");
            summary.add(line);
            println("=> " + line);
        }

        private void closeQuietly() {
            try {
                if (progress != null) {
                    progress.close();
                }
                if (admin != null) {
                    admin.close(Duration.ofSeconds(5));
                }
            } catch (RuntimeException e) {
                System.err.println("closing the admin client: " + e);
            }
            if (broker != null) {
                broker.close();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- pollers

    /** Latencies in nanoseconds, and how many events were never seen. */
    static final class Stats {
        private long[] values = new long[1024];
        private int size;
        long unseen;
        long polls;
        long pollNanos;
        long errors;

        void add(long nanos) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = nanos;
        }

        int count() {
            return size;
        }

        /** Nearest-rank percentile in milliseconds. */
        double p(double percent) {
            if (size == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(percent / 100.0 * size);
            return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
        }

        String describe() {
            if (size == 0) {
                return "no observations (" + unseen + " events unseen, " + errors + " errors)";
            }
            double mean = Arrays.stream(values, 0, size).average().orElse(Double.NaN) / 1e6;
            return String.format(Locale.ROOT, "n=%,d, min %.1f, p50 %.1f, p95 %.1f, p99 %.1f, max %.1f, mean %.1f ms"
                            + "%s; %,d polls of %.2f ms each on average%s", size, p(0), p(50), p(95), p(99), p(100),
                    mean, unseen == 0 ? "" : "; " + unseen + " NEVER SEEN", polls,
                    polls == 0 ? 0 : pollNanos / 1e6 / polls, errors == 0 ? "" : "; " + errors + " failed polls");
        }
    }

    /** A thread that polls until every event it looks for was seen, or it is told to finish. */
    private abstract static class Poller extends Thread {
        final List<EncodedProcess> procs;
        final AtomicLongArray[] sendNanos;
        final long periodNanos;
        final Stats stats = new Stats();
        private volatile boolean finish;
        private volatile boolean done;

        Poller(String name, List<EncodedProcess> procs, AtomicLongArray[] sendNanos, long periodNanos) {
            super(name);
            setDaemon(true);
            this.procs = procs;
            this.sendNanos = sendNanos;
            this.periodNanos = periodNanos;
        }

        /** One poll; returns true when everything it waits for has been seen. */
        abstract boolean poll() throws Exception;

        /** Counts what was never seen (after the thread ended). */
        abstract long unseen();

        @Override
        public final void run() {
            while (!finish) {
                long t = System.nanoTime();
                try {
                    if (poll()) {
                        done = true;
                    }
                } catch (Exception e) {
                    stats.errors++; // e.g. InvalidStateStoreException while a store is not queryable: poll again
                }
                long end = System.nanoTime();
                stats.polls++;
                stats.pollNanos += end - t;
                if (done) {
                    break;
                }
                LockSupport.parkNanos(periodNanos);
            }
        }

        boolean done() {
            return done;
        }

        void finish() {
            finish = true;
        }

        Stats stats() {
            stats.unseen = unseen();
            return stats;
        }

        /** Times the events {@code from..to-1} of process {@code p} as seen at {@code now}; returns {@code to}. */
        long seen(int p, long from, long to, long now) {
            for (long k = from; k < to; k++) {
                long sent = sendNanos[p].get((int) k);
                if (sent > 0) {
                    stats.add(now - sent);
                }
            }
            return to;
        }

        long unseenEvents(long[] seen) {
            long n = 0;
            for (int p = 0; p < procs.size(); p++) {
                n += procs.get(p).values.length - seen[p];
            }
            return n;
        }
    }

    /** [A]: the experiment store, the state behind {@code GET /experiments/{id}}. */
    private static final class ExperimentStorePoller extends Poller {
        private final KafkaStreams streams;
        private final long[] seen;
        private ReadOnlyKeyValueStore<String, ExperimentSummary> store;

        ExperimentStorePoller(KafkaStreams streams, List<EncodedProcess> procs, AtomicLongArray[] sendNanos) {
            super("lem-bench-poll-experiment-store", procs, sendNanos, IQ_POLL_NANOS);
            this.streams = streams;
            this.seen = new long[procs.size()];
        }

        @Override
        boolean poll() {
            if (store == null) {
                store = experimentStore(streams);
            }
            ExperimentSummary s;
            try {
                s = store.get(FRESH_ID);
            } catch (InvalidStateStoreException e) {
                store = null;
                throw e;
            }
            long now = System.nanoTime();
            boolean all = true;
            for (int p = 0; p < procs.size(); p++) {
                ProcessSummary ps = s == null ? null : s.process(procs.get(p).processIndex).orElse(null);
                if (ps != null && ps.events() > seen[p]) {
                    seen[p] = seen(p, seen[p], ps.events(), now);
                }
                all &= seen[p] == procs.get(p).values.length;
            }
            return all;
        }

        @Override
        long unseen() {
            return unseenEvents(seen);
        }
    }

    /** [C]: the process store, upstream of the repartition. */
    private static final class ProcessStorePoller extends Poller {
        private final KafkaStreams streams;
        private final long[] seen;
        private ReadOnlyKeyValueStore<String, ProcessSummary> store;

        ProcessStorePoller(KafkaStreams streams, List<EncodedProcess> procs, AtomicLongArray[] sendNanos) {
            super("lem-bench-poll-process-store", procs, sendNanos, IQ_POLL_NANOS);
            this.streams = streams;
            this.seen = new long[procs.size()];
        }

        @Override
        boolean poll() {
            if (store == null) {
                store = streams.store(StoreQueryParameters.fromNameAndType(LemStores.PROCESS_SUMMARIES,
                        QueryableStoreTypes.<String, ProcessSummary>keyValueStore()));
            }
            boolean all = true;
            for (int p = 0; p < procs.size(); p++) {
                ProcessSummary ps;
                try {
                    ps = store.get(procs.get(p).key);
                } catch (InvalidStateStoreException e) {
                    store = null;
                    throw e;
                }
                long now = System.nanoTime();
                if (ps != null && ps.events() > seen[p]) {
                    seen[p] = seen(p, seen[p], ps.events(), now);
                }
                all &= seen[p] == procs.get(p).values.length;
            }
            return all;
        }

        @Override
        long unseen() {
            return unseenEvents(seen);
        }
    }

    /** [B]: the HTTP API's experiment JSON, {@code processes[].output_tokens}. */
    private static final class HttpPoller extends Poller {
        private final ResultsClient client;
        private final int[] batchesSeen;

        HttpPoller(ResultsClient client, List<EncodedProcess> procs, AtomicLongArray[] sendNanos) {
            super("lem-bench-poll-http", procs, sendNanos, HTTP_POLL_NANOS);
            this.client = client;
            this.batchesSeen = new int[procs.size()];
        }

        @Override
        boolean poll() throws IOException, InterruptedException {
            ResultsClient.Response r = client.experiment(FRESH_ID);
            long now = System.nanoTime();
            if (!r.ok()) {
                stats.errors++;
                return false;
            }
            JsonNode rows = r.json().get("processes");
            if (rows != null) {
                for (JsonNode row : rows) {
                    int index = row.path("process_index").asInt(-1);
                    long output = row.path("output_tokens").asLong(0);
                    for (int p = 0; p < procs.size(); p++) {
                        EncodedProcess proc = procs.get(p);
                        if (proc.processIndex != index) {
                            continue;
                        }
                        while (batchesSeen[p] < proc.cumulativeOutputTokens.length
                                && proc.cumulativeOutputTokens[batchesSeen[p]] <= output) {
                            long sent = sendNanos[p].get((int) proc.batchCompletedSeqs[batchesSeen[p]]);
                            if (sent > 0) {
                                stats.add(now - sent);
                            }
                            batchesSeen[p]++;
                        }
                    }
                }
            }
            boolean all = true;
            for (int p = 0; p < procs.size(); p++) {
                all &= batchesSeen[p] == procs.get(p).cumulativeOutputTokens.length;
            }
            return all;
        }

        @Override
        long unseen() {
            long n = 0;
            for (int p = 0; p < procs.size(); p++) {
                n += procs.get(p).cumulativeOutputTokens.length - batchesSeen[p];
            }
            return n;
        }
    }

    // ---------------------------------------------------------------------------------------------- utilities

    /** One timed pass over the bulk in the ratio phase: its rate and what its main thread and process spent. */
    record Pass(String what, long events, long wallNanos, long threadCpuNanos, long processCpuNanos, long jitNanos,
                List<String> cpuByThreadGroup) {
        static Pass of(String what, long events, long wallNanos, ThreadCpu cpu0, ThreadCpu cpu1, Pattern threads) {
            return new Pass(what, events, wallNanos, cpu1.cpuSince(cpu0, threads), cpu1.processCpuSince(cpu0),
                    cpu1.jitSince(cpu0), cpu1.reportSince(cpu0, 6));
        }

        double rate() {
            return events * 1e9 / wallNanos;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-10s %,9.0f events/s (%.2f s); CPU per event %.1f us in its %s, "
                            + "%.1f us for the process; JIT compiler threads %.0f%% of a core", what, rate(),
                    wallNanos / 1e9, threadCpuNanos / 1e3 / events, "baseline".equals(what) ? "consumer thread"
                            : "stream thread", processCpuNanos / 1e3 / events, 100.0 * jitNanos / wallNanos);
        }
    }

    /** {@code k=v;k=v} from system property {@code property} (empty when unset), for experiments. */
    static Map<String, String> keyValues(String property) {
        Map<String, String> m = new TreeMap<>();
        for (String pair : System.getProperty(property, "").split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                m.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            } else if (!pair.isBlank()) {
                throw new IllegalArgumentException(property + ": not key=value: " + pair);
            }
        }
        return m;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String list(List<Double> values) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", v));
        }
        return b.toString();
    }

    static ReadOnlyKeyValueStore<String, ExperimentSummary> experimentStore(KafkaStreams streams) {
        return streams.store(StoreQueryParameters.fromNameAndType(LemStores.EXPERIMENT_SUMMARIES,
                QueryableStoreTypes.<String, ExperimentSummary>keyValueStore()));
    }

    private static List<ProcessSummary> all(ExperimentSummary s) {
        List<ProcessSummary> out = new ArrayList<>(s.processes());
        s.launcher().ifPresent(out::add);
        return out;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void printf(String format, Object... args) {
        System.out.printf(Locale.ROOT, format, args);
        System.out.flush();
    }

    private static void println(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e);
        }
    }
}
