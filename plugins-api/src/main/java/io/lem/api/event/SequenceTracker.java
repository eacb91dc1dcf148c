package io.lem.api.event;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Accounts for the per-process {@code seq} numbers of one process: which arrived, which are duplicates, which are
 * missing. Arrival may be out of order (a re-sent spool); memory stays proportional to the number of holes, not events.
 * Not thread-safe.
 */
public final class SequenceTracker {

    /** An inclusive range of missing sequence numbers. */
    public record Range(long first, long last) {
        public long count() {
            return last - first + 1;
        }

        @Override
        public String toString() {
            return first == last ? Long.toString(first) : first + ".." + last;
        }
    }

    // Received seqs as disjoint, non-adjacent inclusive ranges: start -> end.
    private final TreeMap<Long, Long> received = new TreeMap<>();
    private long duplicates;
    private long count;

    /** Records one arrival; returns false if this seq was already seen (a duplicate, to be dropped). */
    public boolean observe(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0, was " + seq);
        }
        var floor = received.floorEntry(seq);
        if (floor != null && floor.getValue() >= seq) {
            duplicates++;
            return false;
        }
        long start = seq;
        long end = seq;
        if (floor != null && floor.getValue() == seq - 1) {
            start = floor.getKey();
        }
        Long nextEnd = received.remove(seq + 1);
        if (nextEnd != null) {
            end = nextEnd;
        }
        received.put(start, end);
        count++;
        return true;
    }

    /** Distinct seqs received. */
    public long count() {
        return count;
    }

    public long duplicates() {
        return duplicates;
    }

    /** Highest seq received, or -1 when none. */
    public long highestSeq() {
        return received.isEmpty() ? -1 : received.lastEntry().getValue();
    }

    /** Holes below the highest seq received (seqs from 0 that never arrived). */
    public List<Range> missing() {
        List<Range> holes = new ArrayList<>();
        long expected = 0;
        for (var range : received.entrySet()) {
            if (range.getKey() > expected) {
                holes.add(new Range(expected, range.getKey() - 1));
            }
            expected = range.getValue() + 1;
        }
        return holes;
    }

    /** Holes including those after the highest seq received, up to and including {@code lastSeq}. */
    public List<Range> missingUpTo(long lastSeq) {
        List<Range> holes = missing();
        long next = highestSeq() + 1;
        if (lastSeq >= next) {
            holes.add(new Range(next, lastSeq));
        }
        return holes;
    }

    /** True when exactly 0..highestSeq arrived (no holes); duplicates do not matter here. */
    public boolean isContiguous() {
        return received.size() <= 1 && (received.isEmpty() || received.firstKey() == 0);
    }
}
