package io.lem.runner.events;

import io.lem.api.event.EventCodec;
import io.lem.api.event.SequenceTracker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes event files into Kafka after the fact: JSONL written by {@link FileEventSink}, or spools a
 * {@link KafkaEventSink} left behind. Idempotent: it first reads the topic to learn which (key, seq) are there, and
 * sends only the others, in file order, runs of one process's consecutive events packed into one record as a runner
 * sends them; importing the same file twice adds nothing the second time. Malformed lines
 * are reported as {@code file:line: reason} and skipped.
 *
 * <p>Files are read twice (once to learn the keys, once to send), so memory does not grow with their size.
 */
public final class EventImporter {
    private static final Logger LOG = LoggerFactory.getLogger(EventImporter.class);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_ERRORS = 20;

    private final KafkaTarget target;
    private final Duration timeout;
    private final EventCodec codec = new EventCodec();

    public EventImporter(KafkaTarget target) {
        this(target, DEFAULT_TIMEOUT);
    }

    /** @param timeout bounds each Kafka step: a request, a stretch of reading without progress, one record's delivery */
    public EventImporter(KafkaTarget target, Duration timeout) {
        this.target = Objects.requireNonNull(target, "target");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.toMillis() < 10) {
            throw new IllegalArgumentException("timeout must be at least 10 ms, was " + timeout);
        }
    }

    /**
     * Imports files, and the {@code *.jsonl} files of directories.
     *
     * @throws IOException when a path cannot be read, or Kafka cannot be reached
     */
    public ImportReport importPaths(List<Path> paths) throws IOException, InterruptedException {
        List<Path> files = JsonlEventFile.expand(paths);
        List<String> malformed = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        long read = 0;
        for (Path file : files) {
            long[] count = {0};
            JsonlEventFile.forEach(file, codec, line -> {
                if (line.event() == null) {
                    malformed.add(line.problem());
                } else {
                    keys.add(line.event().envelope().key());
                    count[0]++;
                }
            });
            read += count[0];
        }
        if (read == 0) {
            return new ImportReport(files, 0, 0, 0, 0, malformed, List.of());
        }

        int partitions = ensureTopic();
        Map<String, SequenceTracker> present = presentSeqs(keys);
        return send(files, read, partitions, present, malformed);
    }

    private int ensureTopic() throws IOException, InterruptedException {
        try (Admin admin = Admin.create(ClientProperties.admin(target, requestTimeout(),
                ClientProperties.clientId("import-admin", null)))) {
            return EventTopic.ensure(admin, target, timeout);
        } catch (KafkaException e) {
            throw new IOException("cannot reach Kafka at " + target.bootstrapServers() + ": " + e.getMessage(), e);
        }
    }

    /** The seqs of the given keys already in the topic. */
    private Map<String, SequenceTracker> presentSeqs(Set<String> keys) throws IOException {
        Map<String, SequenceTracker> present = new HashMap<>();
        keys.forEach(k -> present.put(k, new SequenceTracker()));
        TopicScanner.scan(target, timeout, ClientProperties.clientId("import-scan", null), record -> {
            SequenceTracker tracker = record.key() == null ? null : present.get(record.key());
            if (tracker != null && record.value() != null) {
                // a malformed record holds no seq; the aggregator routes it to the dead-letter topic
                SeqHeader.forEachSeq(record, codec, tracker::observe);
            }
        });
        return present;
    }

    private ImportReport send(List<Path> files, long read, int partitions, Map<String, SequenceTracker> present,
                              List<String> malformed) throws IOException {
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Set<String> errors = Collections.synchronizedSet(new LinkedHashSet<>());
        long[] skipped = {0};
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ClientProperties.producer(target, timeout,
                requestTimeout(), ClientProperties.clientId("import", null)))) {
            // runs of one process's consecutive events go out packed; acknowledgements and failures count events
            RecordPacker packer = new RecordPacker((key, value, headers, firstSeq, count) ->
                    producer.send(new ProducerRecord<>(target.topic(), EventTopic.partitionFor(key, partitions), null,
                            key, value, headers), (metadata, exception) -> {
                                if (exception == null) {
                                    acknowledged.addAndGet(count);
                                } else {
                                    failed.addAndGet(count);
                                    if (errors.size() < MAX_ERRORS) {
                                        errors.add(exception.getClass().getSimpleName() + ": "
                                                + exception.getMessage());
                                    }
                                }
                            }));
            for (Path file : files) {
                JsonlEventFile.forEach(file, codec, line -> {
                    if (line.event() == null) {
                        return;
                    }
                    String key = line.event().envelope().key();
                    // Marks the seq as present, so a second copy later in the same import is skipped too.
                    if (!present.get(key).observe(line.event().envelope().seq())) {
                        skipped[0]++;
                        return;
                    }
                    packer.add(key, line.event().envelope().seq(), line.bytes(), 0, line.bytes().length);
                });
                packer.flush();
            }
            producer.flush();
        } catch (KafkaException e) {
            throw new IOException("sending to " + target.topic() + " at " + target.bootstrapServers() + " failed: "
                    + e.getMessage(), e);
        }
        long notSent = read - skipped[0] - acknowledged.get() - failed.get();
        ImportReport report = new ImportReport(files, read, acknowledged.get(), skipped[0], failed.get() + notSent,
                malformed, new ArrayList<>(errors));
        LOG.debug("import of {}: {}", files, report);
        return report;
    }

    /** Requests must fit inside the delivery timeout with the producer's linger. */
    private Duration requestTimeout() {
        Duration half = timeout.dividedBy(2);
        return half.compareTo(KafkaSinkSettings.DEFAULT_REQUEST_TIMEOUT) < 0 ? half
                : KafkaSinkSettings.DEFAULT_REQUEST_TIMEOUT;
    }
}
