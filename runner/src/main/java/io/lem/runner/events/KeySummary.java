package io.lem.runner.events;

import io.lem.api.event.SequenceTracker;

import java.util.List;

/**
 * What the topic holds for one process.
 *
 * @param key             {@code experimentId/processIndex}
 * @param count           distinct seqs present
 * @param duplicates      records whose seq was already present
 * @param highestSeq      highest seq present, -1 when none
 * @param declaredLastSeq the last seq the process announced (ProcessCompleted or ProcessFailed), -1 when none arrived
 * @param missing         seqs absent from 0 up to the higher of highestSeq and declaredLastSeq
 */
public record KeySummary(String key, long count, long duplicates, long highestSeq, long declaredLastSeq,
                         List<SequenceTracker.Range> missing) {

    public KeySummary {
        missing = List.copyOf(missing);
    }

    static KeySummary of(String key, SequenceTracker tracker, long declaredLastSeq) {
        return new KeySummary(key, tracker.count(), tracker.duplicates(), tracker.highestSeq(), declaredLastSeq,
                tracker.missingUpTo(declaredLastSeq));
    }

    /** Exactly once each: no holes and no duplicates. */
    public boolean exact() {
        return duplicates == 0 && missing.isEmpty();
    }
}
