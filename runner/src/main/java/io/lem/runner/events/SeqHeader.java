package io.lem.runner.events;

import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;
import io.lem.events.kafka.EventFrames;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.function.LongConsumer;

/**
 * The seqs a record carries, from its headers ({@link EventFrames#SEQ_HEADER}: the first seq; the count header: how
 * many follow it), so that a sink reading its partition back, or the importer scanning the topic, learns which seqs
 * landed without parsing each event's JSON. Parsing cost the runner's delivery thread a full decode per event read
 * back, and a runner JVM the compilation of the decoder, on the cores the measured generation uses. Records without
 * the headers (written by lem before them, or by other tools) are decoded as before; the value stays the one source
 * of truth for the aggregator.
 */
final class SeqHeader {
    private SeqHeader() {
    }

    /**
     * Hands each seq of a record on an event key to {@code seqs}: from the headers when they are well formed,
     * otherwise from the decoded events of the value (a line that is not a lem event holds no seq and is skipped).
     *
     * @return how many seqs the record gave
     */
    static int forEachSeq(ConsumerRecord<?, byte[]> record, EventCodec codec, LongConsumer seqs) {
        long first = EventFrames.firstSeq(record.headers());
        int count = EventFrames.declaredCount(record.headers());
        if (first >= 0 && count >= 1) {
            for (int i = 0; i < count; i++) {
                seqs.accept(first + i);
            }
            return count;
        }
        int[] found = {0};
        EventFrames.forEachEvent(record.headers(), record.value(), (value, offset, length, line) -> {
            try {
                seqs.accept(codec.decode(value, offset, length).envelope().seq());
                found[0]++;
            } catch (EventFormatException e) {
                // not a lem event: someone else's line on this key; it proves nothing
            }
        });
        return found[0];
    }
}
