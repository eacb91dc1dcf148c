package io.lem.aggregator.topology;

import io.lem.aggregator.model.ProcessSummary;
import io.lem.api.event.DecodeResult;
import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;
import io.lem.events.kafka.EventFrames;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The per-process half of the topology in one processor: decode each raw record, check it against its key, fold it
 * into the summary of its process, and send what cannot be aggregated to the dead letters. One processor instead of
 * decode, filter, map and aggregate nodes saves Streams' per-node cost on every event.
 *
 * <p><b>State and commits.</b> Summaries live as objects in the task's {@link ProcessSummaryCache}: an event is
 * folded into the object, nothing is encoded. Right before each commit of the task (the cache's hook), every summary
 * that changed is written to the process store and then forwarded, keyed by experiment id, to the experiment level,
 * so both land in the transaction that commits the input offsets they reflect; nothing is forwarded that the store
 * does not hold. A crash before the commit aborts the transaction and loses only the objects, which the restarted
 * task rebuilds from the restored store and the re-read input, exactly as before. A key whose undo log (below)
 * grows past {@link #MAX_EVENTS_BETWEEN_WRITES} is written early; it is still forwarded at the commit.
 *
 * <p><b>A fold that throws</b> (a bug, never expected) skips that one event: the summary is rebuilt from the bytes
 * the store holds and the events folded since, which is the state just before the event, as the previous topology
 * did by keeping the bytes it had read.
 *
 * <p>Forwarding from the commit hook, outside any record, sets the node and record context the way Streams' own
 * record cache does when it flushes ({@link InternalProcessorContext}, internal API of the pinned Kafka version).
 */
final class ProcessAggregator implements Processor<String, byte[], String, Object> {
    /** Bounds the events kept per key to undo a failed fold; a key this busy is written to the store early. */
    static final int MAX_EVENTS_BETWEEN_WRITES = 2048;
    private static final Logger log = LoggerFactory.getLogger(ProcessAggregator.class);

    private final EventCodec codec = new EventCodec();
    private final String experimentFilter;
    private final String keyPrefix;
    private final boolean deadLetters;
    private ProcessorContext<String, Object> context;
    private TimestampedKeyValueStore<String, ProcessSummary> store;
    private ProcessSummaryCache cache;
    private ProcessorNode<?, ?, ?, ?> ownNode;
    private long malformed;
    private CommitPacing pacing;
    // where the last record came from: the record context of updates forwarded at commit time
    private String lastTopic;
    private int lastPartition = -1;
    private long lastOffset = -1;

    private final EventActivity activity;

    ProcessAggregator(AggregatorConfig config, EventActivity activity) {
        this.activity = activity;
        this.experimentFilter = config.experimentFilter();
        this.keyPrefix = experimentFilter == null ? null : experimentFilter + "/";
        this.deadLetters = config.deadLetterTopic() != null;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.ownNode = ((InternalProcessorContext<?, ?>) context).currentNode(); // set while Streams inits a node
        this.store = context.getStateStore(LemStores.PROCESS_SUMMARIES);
        Object cacheStore = context.getStateStore(LemStores.PROCESS_CACHE);
        if (!(cacheStore instanceof ProcessSummaryCache)) {
            throw new IllegalStateException(LemStores.PROCESS_CACHE + " is not a ProcessSummaryCache: " + cacheStore);
        }
        this.cache = (ProcessSummaryCache) cacheStore;
        cache.dropClean();
        cache.beforeCommit(this::writeAndForwardChanged);
        pacing = new CommitPacing(context, activity, true);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        activity.onEvent(context.currentSystemTimeMs());
        boolean wasCaughtUp = pacing.caughtUp();
        pacing.onRecord(record.timestamp());
        if (pacing.caughtUp() != wasCaughtUp) {
            log.debug("task {} {}", context.taskId(), pacing.caughtUp()
                    ? "caught up: commits once a change waited the caught-up commit interval"
                    : "working through a backlog: commits at commit.interval.ms");
        }
        String key = record.key();
        if (keyPrefix != null && (key == null || !key.startsWith(keyPrefix))) {
            return; // another experiment (a good record's key is always its experimentId/processIndex)
        }
        remember(context.recordMetadata());
        byte[] value = record.value();
        if (value == null) {
            deadLetter(record, null, 0, "record has no value (a tombstone); events are never deleted");
            return;
        }
        // a packed record holds one event per line: each is decoded, checked and folded (or dead-lettered) on its own
        if (EventFrames.forEachEvent(record.headers(), value,
                (bytes, offset, length, line) -> event(record, key, bytes, offset, length, line)) == 0) {
            deadLetter(record, value, 0, "record has the " + EventFrames.COUNT_HEADER + " header but no event");
        }
    }

    /** One event, {@code value[offset, offset + length)}; {@code line} is its line number in a packed record. */
    private void event(Record<String, byte[]> record, String key, byte[] value, int offset, int length, int line) {
        String problem;
        DecodeResult result = null;
        try {
            result = codec.decode(value, offset, length);
            problem = EventChecks.problem(key, result);
        } catch (EventFormatException e) {
            problem = e.getMessage();
        } catch (RuntimeException e) {
            problem = "cannot decode: " + e;
        }
        if (problem != null) {
            deadLetter(record, line == 0 ? value : Arrays.copyOfRange(value, offset, offset + length), line, problem);
            return;
        }
        if (experimentFilter != null && !experimentFilter.equals(result.envelope().experimentId())) {
            return;
        }
        fold(key, result, value, offset, length, record.timestamp());
    }

    private void remember(Optional<RecordMetadata> metadata) {
        if (metadata.isPresent()) {
            RecordMetadata m = metadata.get();
            lastTopic = m.topic();
            lastPartition = m.partition();
            lastOffset = m.offset();
        }
    }

    private void fold(String key, DecodeResult event, byte[] value, int offset, int length, long timestamp) {
        LiveSummary live = cache.get(key);
        if (live == null) {
            ValueAndTimestamp<ProcessSummary> held = store.get(key);
            live = held == null || held.value() == null ? new LiveSummary(new ProcessSummary(), null, timestamp)
                    : new LiveSummary(held.value(), held.value().toBytes(), held.timestamp());
            cache.put(key, live);
        }
        try {
            live.summary.apply(event);
        } catch (RuntimeException e) {
            log.error("event {}/{} seq {} ({}) could not be folded into {}; skipped", event.envelope().experimentId(),
                    event.envelope().processIndex(), event.envelope().seq(), event.getClass().getSimpleName(), key, e);
            live.summary = live.rebuild(codec);
            return;
        }
        live.applied(value, offset, length);
        live.timestamp = Math.max(live.timestamp, timestamp);
        cache.markDirty(key, live);
        if (live.appliedSinceStored() >= MAX_EVENTS_BETWEEN_WRITES) {
            write(key, live);
        }
    }

    private void write(String key, LiveSummary live) {
        store.put(key, ValueAndTimestamp.make(live.summary, live.timestamp));
        live.stored(live.summary.toBytes()); // encoded once by the put, cached in the summary
    }

    /** The commit hook: every changed summary to the store, then downstream. */
    private void writeAndForwardChanged() {
        pacing.onCommit();
        if (cache.dirtyCount() == 0) {
            return;
        }
        @SuppressWarnings("unchecked")
        InternalProcessorContext<String, Object> internal = (InternalProcessorContext<String, Object>) context;
        ProcessorNode<?, ?, ?, ?> previousNode = internal.currentNode();
        ProcessorRecordContext previousRecord = internal.recordContext();
        try {
            internal.setCurrentNode(ownNode);
            for (String key : cache.drainDirty()) {
                LiveSummary live = cache.get(key);
                if (live == null) {
                    continue; // cannot happen: dirty entries are never evicted
                }
                live.dirty = false;
                if (live.appliedSinceStored() > 0) {
                    write(key, live);
                }
                internal.setRecordContext(new ProcessorRecordContext(live.timestamp, lastOffset, lastPartition,
                        lastTopic, new RecordHeaders()));
                context.forward(new Record<>(live.summary.experimentId(), live.summary, live.timestamp));
            }
        } finally {
            internal.setRecordContext(previousRecord);
            internal.setCurrentNode(previousNode);
        }
        cache.evict();
    }

    /** Sends {@code value} (the record's, or one event of a packed record: {@code line} > 0) to the dead letters. */
    private void deadLetter(Record<String, byte[]> record, byte[] value, int line, String problem) {
        malformed++;
        String source = context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("unknown")
                + (line > 0 ? " line " + line : "");
        if (malformed <= 10 || malformed % 1000 == 0) {
            log.warn("malformed record #{} at {} (key {}){}: {}", malformed, source, record.key(),
                    deadLetters ? ", sent to the dead letters" : ", dropped", problem);
        }
        if (!deadLetters) {
            return;
        }
        Headers headers = new RecordHeaders(record.headers().toArray());
        if (line > 0) { // one event of the record now: its own seq is in its JSON
            headers.remove(EventFrames.COUNT_HEADER);
            headers.remove(EventFrames.SEQ_HEADER);
        }
        headers.remove(LemTopology.ERROR_HEADER);
        headers.remove(LemTopology.SOURCE_HEADER);
        headers.add(LemTopology.ERROR_HEADER, problem.getBytes(StandardCharsets.UTF_8));
        headers.add(LemTopology.SOURCE_HEADER, source.getBytes(StandardCharsets.UTF_8));
        context.forward(record.withValue((Object) new DeadLetter(value)).withHeaders(headers));
    }
}
