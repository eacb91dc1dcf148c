package io.lem.runner.events;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveredSeqsTest {

    @Test
    void advancesOverContiguousSeqsAndRemembersTheOnesAboveAHole() {
        DeliveredSeqs seqs = new DeliveredSeqs(100);
        seqs.observe(99, 200);   // before this spool: not ours
        seqs.observe(100, 200);
        seqs.observe(101, 200);
        seqs.observe(104, 200);  // landed, but 102 and 103 did not (yet)
        seqs.observe(300, 200);  // beyond anything written: not ours
        assertThat(seqs.through()).isEqualTo(101);
        assertThat(seqs.contains(104)).isTrue();
        assertThat(seqs.contains(102)).isFalse();
        assertThat(seqs.contains(300)).isFalse();

        seqs.observe(103, 200);
        seqs.observe(102, 200);
        assertThat(seqs.through()).isEqualTo(104);
        seqs.observe(101, 200);  // a duplicate changes nothing
        assertThat(seqs.through()).isEqualTo(104);
    }
}
