package io.lem.plugins.rapl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WrapAroundCounterTest {

    private static final long ANY = Long.MAX_VALUE;

    @Test
    void countsThroughOneWrap() {
        WrapAroundCounter counter = new WrapAroundCounter(1_000_000, 900_000);
        assertThat(counter.advance(950_000, ANY)).isEqualTo(50_000);
        assertThat(counter.advance(100_000, ANY)).isEqualTo(50_000 + 50_000 + 100_000);
        assertThat(counter.advance(100_000, ANY)).isEqualTo(200_000);
        assertThat(counter.wraps()).isEqualTo(1);
    }

    @Test
    void aDropLargerThanPlausibleIsAResetNotAWrap() {
        // Intel range; the counter restarts near 0 from the middle of its range, 1 s after the last read at 1 kW
        WrapAroundCounter counter = new WrapAroundCounter(262_143_999_938L, 100_000_000_000L);
        assertThat(counter.advance(5_000_000, 1_000_000_000)).isEqualTo(5_000_000);
        assertThat(counter.resets()).isEqualTo(1);
        assertThat(counter.wraps()).isZero();
    }

    @Test
    void unknownRangeTreatsADropAsAResetFromZero() {
        WrapAroundCounter counter = new WrapAroundCounter(0, 500);
        assertThat(counter.advance(800, ANY)).isEqualTo(300);
        assertThat(counter.advance(100, ANY)).isEqualTo(400);
        assertThat(counter.resets()).isEqualTo(1);
    }
}
