package io.lem.runner.events;

import java.util.TreeSet;

/**
 * The seqs of one process seen in the topic: every seq from the spool's first up to {@link #through()}, plus the
 * scattered ones above it. Memory is proportional to the holes, which re-sending fills.
 */
final class DeliveredSeqs {
    private long through;
    private final TreeSet<Long> above = new TreeSet<>();

    DeliveredSeqs(long firstSeq) {
        this.through = firstSeq - 1;
    }

    /** Records a seq read from the topic; seqs below the first or beyond {@code lastWritten} are not this spool's. */
    void observe(long seq, long lastWritten) {
        if (seq <= through || seq > lastWritten) {
            return;
        }
        if (seq == through + 1) {
            through++;
            while (above.remove(through + 1)) {
                through++;
            }
        } else {
            above.add(seq);
        }
    }

    boolean contains(long seq) {
        return seq <= through || above.contains(seq);
    }

    /** Every seq from the first up to this one is in the topic. */
    long through() {
        return through;
    }
}
