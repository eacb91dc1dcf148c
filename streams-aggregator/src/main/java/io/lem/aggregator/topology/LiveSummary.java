package io.lem.aggregator.topology;

import io.lem.aggregator.model.ProcessSummary;
import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;

import java.util.ArrayList;
import java.util.List;

/**
 * One process's summary as the aggregator holds it in memory between commits ({@link ProcessSummaryCache}), with
 * what it takes to undo a fold that throws: the bytes the store holds and the events applied since.
 *
 * <p>The events are kept as the record values they came in (already allocated by the consumer), not decoded:
 * a decoded event is a graph of objects that would survive young collections until the next store write, and keeping
 * those cost the fold about 100 ns per event (aggregator bench probe); the rare rebuild decodes them again.
 */
final class LiveSummary {
    /** The current state, ahead of the store by {@link #appliedSinceStored}. */
    ProcessSummary summary;
    /** What the process store holds for this key (null: nothing yet). */
    byte[] stored;
    /** Record values of the events folded in after {@link #stored}, in order: replayed should a later fold throw. */
    final List<byte[]> appliedSinceStored = new ArrayList<>();
    /** Largest record timestamp folded in; the timestamp of the store entry and of the forwarded update. */
    long timestamp = Long.MIN_VALUE;
    /** Changed since the last commit: written to the store (if not yet) and forwarded at the next one. */
    boolean dirty;

    LiveSummary(ProcessSummary summary, byte[] stored, long timestamp) {
        this.summary = summary;
        this.stored = stored;
        this.timestamp = timestamp;
    }

    /** The state before the events since the last store write, with those events folded in again. */
    ProcessSummary rebuild(EventCodec codec) {
        ProcessSummary s = stored == null ? new ProcessSummary() : ProcessSummary.fromBytes(stored);
        for (byte[] value : appliedSinceStored) {
            try {
                s.apply(codec.decode(value));
            } catch (EventFormatException e) {
                throw new IllegalStateException("an event that decoded when it was folded no longer does", e);
            }
        }
        return s;
    }
}
