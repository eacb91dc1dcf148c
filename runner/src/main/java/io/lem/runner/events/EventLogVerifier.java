package io.lem.runner.events;

import io.lem.api.event.DecodeResult;
import io.lem.api.event.Envelope;
import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.ProcessFailed;
import io.lem.api.event.SequenceTracker;
import io.lem.events.kafka.EventFrames;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the event topic from the beginning to the end offsets of the moment it starts, and accounts for each process's
 * seqs: how many, which duplicated, which missing. Backs {@code lem events verify} and the delivery tests.
 */
public final class EventLogVerifier {
    private final KafkaTarget target;
    private final Duration timeout;
    private final EventCodec codec = new EventCodec();

    public EventLogVerifier(KafkaTarget target) {
        this(target, EventImporter.DEFAULT_TIMEOUT);
    }

    /** @param timeout how long reading may go without progress before it gives up */
    public EventLogVerifier(KafkaTarget target, Duration timeout) {
        this.target = Objects.requireNonNull(target, "target");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Every process of every experiment in the topic. */
    public EventLogReport verify() throws IOException {
        return verify(null);
    }

    /**
     * @param experimentId only this experiment's processes; null for all
     * @throws IOException when Kafka cannot be reached or reading stops advancing
     */
    public EventLogReport verify(String experimentId) throws IOException {
        Map<String, SequenceTracker> trackers = new HashMap<>();
        Map<String, Long> declaredLast = new HashMap<>();
        long[] events = {0};
        long[] malformed = {0};
        long[] unknown = {0};
        long records = TopicScanner.scan(target, timeout, ClientProperties.clientId("verify", null), record -> {
            if (record.value() == null) {
                events[0]++;
                malformed[0]++;
                return;
            }
            events[0] += EventFrames.forEachEvent(record.headers(), record.value(), (value, offset, length, line) -> {
                DecodeResult result;
                try {
                    result = codec.decode(value, offset, length);
                } catch (EventFormatException e) {
                    malformed[0]++;
                    return;
                }
                Envelope envelope = result.envelope();
                if (experimentId != null && !experimentId.equals(envelope.experimentId())) {
                    return;
                }
                String key = envelope.key();
                trackers.computeIfAbsent(key, k -> new SequenceTracker()).observe(envelope.seq());
                if (result instanceof DecodeResult.Unknown) {
                    unknown[0]++;
                } else {
                    Object event = ((DecodeResult.Known) result).event();
                    if (event instanceof ProcessCompleted completed) {
                        declaredLast.merge(key, completed.lastSeq(), Math::max);
                    } else if (event instanceof ProcessFailed failed) {
                        declaredLast.merge(key, failed.lastSeq(), Math::max);
                    }
                }
            });
        });
        Map<String, KeySummary> keys = new HashMap<>();
        trackers.forEach((key, tracker) -> keys.put(key,
                KeySummary.of(key, tracker, declaredLast.getOrDefault(key, -1L))));
        return EventLogReport.of(target.topic(), records, events[0], malformed[0], unknown[0], keys);
    }
}
