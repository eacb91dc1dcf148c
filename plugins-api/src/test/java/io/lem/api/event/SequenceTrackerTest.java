package io.lem.api.event;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SequenceTrackerTest {

    @Test
    void inOrderArrivalIsContiguous() {
        SequenceTracker tracker = new SequenceTracker();
        for (long s = 0; s < 1000; s++) {
            assertThat(tracker.observe(s)).isTrue();
        }
        assertThat(tracker.isContiguous()).isTrue();
        assertThat(tracker.count()).isEqualTo(1000);
        assertThat(tracker.highestSeq()).isEqualTo(999);
        assertThat(tracker.missing()).isEmpty();
    }

    @Test
    void shuffledArrivalWithDuplicatesMergesToOneRange() {
        List<Long> seqs = new ArrayList<>();
        for (long s = 0; s < 5000; s++) {
            seqs.add(s);
            if (s % 7 == 0) {
                seqs.add(s);
            }
        }
        Collections.shuffle(seqs, new Random(42));
        SequenceTracker tracker = new SequenceTracker();
        seqs.forEach(tracker::observe);
        assertThat(tracker.isContiguous()).isTrue();
        assertThat(tracker.count()).isEqualTo(5000);
        assertThat(tracker.duplicates()).isEqualTo(715);
    }

    @Test
    void holesAreReportedAsRanges() {
        SequenceTracker tracker = new SequenceTracker();
        for (long s : new long[]{0, 1, 2, 5, 6, 9}) {
            tracker.observe(s);
        }
        assertThat(tracker.isContiguous()).isFalse();
        assertThat(tracker.missing()).containsExactly(new SequenceTracker.Range(3, 4), new SequenceTracker.Range(7, 8));
        assertThat(tracker.missingUpTo(11)).extracting(Object::toString).containsExactly("3..4", "7..8", "10..11");
    }

    @Test
    void missingStartIsAHole() {
        SequenceTracker tracker = new SequenceTracker();
        tracker.observe(3);
        assertThat(tracker.missing()).containsExactly(new SequenceTracker.Range(0, 2));
        assertThat(tracker.isContiguous()).isFalse();
    }
}
