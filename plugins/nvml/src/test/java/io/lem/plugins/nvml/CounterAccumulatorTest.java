package io.lem.plugins.nvml;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CounterAccumulatorTest {

    @Test
    void countsMillijoulesSinceTheBaselineAndSurvivesAReset() {
        CounterAccumulator counter = new CounterAccumulator(9_000_000);
        counter.update(9_000_000);
        counter.update(9_250_500);
        assertThat(counter.joules()).isEqualTo(250.5);

        counter.update(1_200); // driver reloaded: the counter restarted
        assertThat(counter.joules()).isEqualTo(250.5);
        assertThat(counter.resets()).isEqualTo(1);

        counter.update(1_700);
        assertThat(counter.joules()).isEqualTo(251.0);
    }

    @Test
    void readsTheRawValueAsUnsigned() {
        CounterAccumulator counter = new CounterAccumulator(Long.MAX_VALUE);
        counter.update(Long.MIN_VALUE + 999); // 2^63 + 999 as unsigned long long
        assertThat(counter.joules()).isEqualTo(1.0);
        assertThat(counter.resets()).isZero();
    }
}
