package io.lem.aggregator.app;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * How far a consumer group (a Streams application id) has got: its committed offsets against end offsets.
 *
 * <p>End offsets are read with {@code read_committed}, i.e. the last stable offset, which is what a Streams application
 * with exactly-once can see. A transactional topic (every Streams repartition topic under exactly-once) ends in a
 * commit marker that no consumer ever returns, so a committed offset may stop one short of the end forever; such a
 * gap is checked by reading it ({@link #gapsWithRecords}), never assumed.
 *
 * <p>The Admin calls are thread-safe; the probing consumer is created lazily and used under this object's lock.
 */
public final class GroupProgress implements AutoCloseable {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration PROBE_POLL = Duration.ofMillis(20);
    /**
     * How long the broker may hold the probe's fetch for data: briefly, since a gap that ends in a marker has nothing
     * more to return, and a fetch left parked would delay the next probe by the broker's default 500 ms.
     */
    private static final int PROBE_FETCH_MAX_WAIT_MS = 10;

    private final Admin admin;
    private final Map<String, Object> clientProperties;
    private final Duration timeout;
    private KafkaConsumer<byte[], byte[]> probe;

    /**
     * @param admin            used for all metadata and offset calls; not closed by this object
     * @param clientProperties bootstrap servers and security settings for the probing consumer
     * @param timeout          bound on each Kafka call
     */
    public GroupProgress(Admin admin, Map<String, Object> clientProperties, Duration timeout) {
        this.admin = admin;
        this.clientProperties = Map.copyOf(clientProperties);
        this.timeout = timeout;
    }

    /** All partitions of a topic. */
    public List<TopicPartition> partitions(String topic) throws InterruptedException {
        return get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions().stream()
                .map(TopicPartitionInfo::partition).map(p -> new TopicPartition(topic, p)).toList();
    }

    /** The last stable offsets (read_committed end) of the given partitions. */
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) throws InterruptedException {
        return listOffsets(partitions, OffsetSpec.latest());
    }

    /**
     * The high watermarks (read_uncommitted end) of the given partitions: past every record written so far, including
     * those of transactions not yet decided or whose commit markers have not reached the partition yet.
     */
    public Map<TopicPartition, Long> highWatermarks(Collection<TopicPartition> partitions)
            throws InterruptedException {
        return listOffsets(partitions, OffsetSpec.latest(), IsolationLevel.READ_UNCOMMITTED);
    }

    /** The log start offsets of the given partitions. */
    public Map<TopicPartition, Long> startOffsets(Collection<TopicPartition> partitions) throws InterruptedException {
        return listOffsets(partitions, OffsetSpec.earliest());
    }

    /** Committed offsets of a group; partitions without a commit are absent. */
    public Map<TopicPartition, Long> committed(String groupId) throws InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> raw =
                get(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata());
        Map<TopicPartition, Long> out = new HashMap<>();
        raw.forEach((tp, om) -> {
            if (om != null) {
                out.put(tp, om.offset());
            }
        });
        return out;
    }

    /**
     * Records the group still has to read on the given partitions: sum of (end offset − committed offset), a
     * partition without a commit counting from its log start.
     */
    public long lag(String groupId, Collection<TopicPartition> partitions) throws InterruptedException {
        if (partitions.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, Long> ends = endOffsets(partitions);
        Map<TopicPartition, Long> committed = committed(groupId);
        List<TopicPartition> uncommitted = partitions.stream().filter(tp -> !committed.containsKey(tp)).toList();
        Map<TopicPartition, Long> starts = uncommitted.isEmpty() ? Map.of() : startOffsets(uncommitted);
        long lag = 0;
        for (TopicPartition tp : partitions) {
            long end = ends.getOrDefault(tp, 0L);
            long from = committed.containsKey(tp) ? committed.get(tp) : starts.getOrDefault(tp, 0L);
            lag += Math.max(0, end - from);
        }
        return lag;
    }

    /**
     * Whether the group has consumed every record below the given offsets: for each partition, its committed offset
     * reaches the target, or nothing but transaction markers and aborted records lies between the two.
     *
     * @return the partitions still behind, empty when caught up
     */
    public synchronized Map<TopicPartition, String> behind(String groupId, Map<TopicPartition, Long> targets)
            throws InterruptedException {
        Map<TopicPartition, Long> committed = committed(groupId);
        Map<TopicPartition, String> behind = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
        Map<TopicPartition, long[]> gaps = new HashMap<>(); // [from, to) to read
        Map<TopicPartition, Long> starts = null;
        for (Map.Entry<TopicPartition, Long> e : targets.entrySet()) {
            TopicPartition tp = e.getKey();
            long target = e.getValue();
            Long done = committed.get(tp);
            if (done == null) {
                if (starts == null) {
                    starts = startOffsets(targets.keySet());
                }
                long start = starts.getOrDefault(tp, 0L);
                if (start < target) {
                    gaps.put(tp, new long[] {start, target});
                }
            } else if (done < target) {
                gaps.put(tp, new long[] {done, target});
            }
        }
        for (TopicPartition tp : gapsWithRecords(gaps)) {
            Long done = committed.get(tp);
            long target = targets.get(tp);
            behind.put(tp, done == null ? "nothing committed, target " + target
                    : "committed " + done + " of " + target);
        }
        return behind;
    }

    /** The repartition topics of a Streams application ({@code <appId>-...-repartition}). */
    public Set<String> repartitionTopics(String applicationId) throws InterruptedException {
        return get(admin.listTopics().names()).stream()
                .filter(name -> name.startsWith(applicationId + "-") && name.endsWith("-repartition"))
                .collect(Collectors.toSet());
    }

    /**
     * Reads each gap {@code [from, to)} with {@code read_committed} and answers which hold a record a consumer would
     * see (not only transaction markers or aborted records). A gap not read to its end within the probe timeout
     * counts as holding one. All gaps are read at once, by one assignment: one at a time, each would wait for the
     * fetch the previous one left parked on the broker.
     */
    synchronized Set<TopicPartition> gapsWithRecords(Map<TopicPartition, long[]> gaps) {
        Map<TopicPartition, long[]> open = new HashMap<>();
        gaps.forEach((tp, gap) -> {
            if (gap[0] < gap[1]) {
                open.put(tp, gap);
            }
        });
        if (open.isEmpty()) {
            return Set.of();
        }
        Set<TopicPartition> withRecords = new HashSet<>();
        KafkaConsumer<byte[], byte[]> consumer = probe();
        consumer.assign(open.keySet());
        open.forEach((tp, gap) -> consumer.seek(tp, gap[0]));
        long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos();
        try {
            while (!open.isEmpty() && System.nanoTime() - deadline < 0) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(PROBE_POLL);
                for (TopicPartition tp : records.partitions()) {
                    long[] gap = open.get(tp);
                    if (gap != null && records.records(tp).stream().anyMatch(r -> r.offset() < gap[1])) {
                        withRecords.add(tp);
                        open.remove(tp);
                        consumer.pause(List.of(tp));
                    }
                }
                for (var it = open.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<TopicPartition, long[]> e = it.next();
                    if (consumer.position(e.getKey(), PROBE_TIMEOUT) >= e.getValue()[1]) {
                        it.remove(); // read to the end of the gap and saw no record in it
                    }
                }
            }
            withRecords.addAll(open.keySet()); // unsure: not read to the end in time
            return withRecords;
        } finally {
            consumer.unsubscribe();
        }
    }

    private KafkaConsumer<byte[], byte[]> probe() {
        if (probe == null) {
            Map<String, Object> p = new HashMap<>(clientProperties);
            p.remove(ConsumerConfig.GROUP_ID_CONFIG);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, "lem-aggregator-progress-probe");
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, PROBE_FETCH_MAX_WAIT_MS);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            probe = new KafkaConsumer<>(p);
        }
        return probe;
    }

    private Map<TopicPartition, Long> listOffsets(Collection<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException {
        return listOffsets(partitions, spec, IsolationLevel.READ_COMMITTED);
    }

    private Map<TopicPartition, Long> listOffsets(Collection<TopicPartition> partitions, OffsetSpec spec,
                                                  IsolationLevel isolation) throws InterruptedException {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = get(admin
                .listOffsets(request, new ListOffsetsOptions(isolation)).all());
        Map<TopicPartition, Long> out = new HashMap<>();
        result.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private <T> T get(org.apache.kafka.common.KafkaFuture<T> future) throws InterruptedException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new AggregatorException("Kafka refused an offset query: " + cause, cause);
        } catch (TimeoutException e) {
            throw new AggregatorException("Kafka did not answer an offset query within " + timeout.toMillis()
                    + " ms", e);
        }
    }

    @Override
    public synchronized void close() {
        if (probe != null) {
            probe.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
            probe = null;
        }
    }
}
