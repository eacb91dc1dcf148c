package io.lem.aggregator.topology;

import io.lem.aggregator.model.ProcessSummary;
import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One process's summary as the aggregator holds it in memory between commits ({@link ProcessSummaryCache}), with
 * what it takes to undo a fold that throws: the bytes the store holds and the events applied since.
 *
 * <p>The events are kept as where they sit in the record values they came in (already allocated by the consumer;
 * a packed record holds several), not decoded: a decoded event is a graph of objects that would survive young
 * collections until the next store write, and keeping those cost the fold about 100 ns per event (aggregator bench
 * probe); the rare rebuild decodes them again.
 */
final class LiveSummary {
    /** The current state, ahead of the store by the events applied since it was written. */
    ProcessSummary summary;
    /** What the process store holds for this key (null: nothing yet). */
    byte[] stored;
    /** Largest record timestamp folded in; the timestamp of the store entry and of the forwarded update. */
    long timestamp = Long.MIN_VALUE;
    /** Changed since the last commit: written to the store (if not yet) and forwarded at the next one. */
    boolean dirty;

    // the events folded in after `stored`, in order: record value, offset and length of each (replayed should a
    // later fold throw)
    private final List<byte[]> values = new ArrayList<>();
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];

    LiveSummary(ProcessSummary summary, byte[] stored, long timestamp) {
        this.summary = summary;
        this.stored = stored;
        this.timestamp = timestamp;
    }

    /** Remembers a folded event: {@code value[offset, offset + length)}. */
    void applied(byte[] value, int offset, int length) {
        int i = values.size();
        if (i == offsets.length) {
            offsets = Arrays.copyOf(offsets, i * 2);
            lengths = Arrays.copyOf(lengths, i * 2);
        }
        values.add(value);
        offsets[i] = offset;
        lengths[i] = length;
    }

    /** Events folded in since the store was last written. */
    int appliedSinceStored() {
        return values.size();
    }

    /** The store now holds the summary: nothing to replay. */
    void stored(byte[] bytes) {
        stored = bytes;
        values.clear();
        if (offsets.length > 256) { // a busy key grew them (up to 2048): an idle cached key should not keep 16 KB
            offsets = new int[16];
            lengths = new int[16];
        }
    }

    /** The state before the events since the last store write, with those events folded in again. */
    ProcessSummary rebuild(EventCodec codec) {
        ProcessSummary s = stored == null ? new ProcessSummary() : ProcessSummary.fromBytes(stored);
        for (int i = 0; i < values.size(); i++) {
            try {
                s.apply(codec.decode(values.get(i), offsets[i], lengths[i]));
            } catch (EventFormatException e) {
                throw new IllegalStateException("an event that decoded when it was folded no longer does", e);
            }
        }
        return s;
    }
}
