package io.lem.aggregator.topology;

import io.lem.aggregator.model.ProcessSummary;
import io.lem.api.event.DecodeResult;

import java.util.ArrayList;
import java.util.List;

/**
 * One process's summary as the aggregator holds it in memory between commits ({@link ProcessSummaryCache}), with
 * what it takes to undo a fold that throws: the bytes the store holds and the events applied since.
 */
final class LiveSummary {
    /** The current state, ahead of the store by {@link #appliedSinceStored}. */
    ProcessSummary summary;
    /** What the process store holds for this key (null: nothing yet). */
    byte[] stored;
    /** Events folded in after {@link #stored}, in order: replayed onto it should a later fold throw. */
    final List<DecodeResult> appliedSinceStored = new ArrayList<>();
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
    ProcessSummary rebuild() {
        ProcessSummary s = stored == null ? new ProcessSummary() : ProcessSummary.fromBytes(stored);
        for (DecodeResult event : appliedSinceStored) {
            s.apply(event);
        }
        return s;
    }
}
