package io.lem.runner.measure;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class JitSettleTest {

    @Test
    void waitsAtLeastTheQuietSpellAndNeverBeyondTheLimit() throws InterruptedException {
        Duration waited = JitSettle.await(Duration.ofSeconds(3));
        if (ManagementFactory.getCompilationMXBean().isCompilationTimeMonitoringSupported()) {
            assertThat(waited).isGreaterThanOrEqualTo(JitSettle.QUIET);
        }
        // the limit bounds the wait even while compilations keep coming (the limit plus one poll)
        assertThat(waited).isLessThan(Duration.ofSeconds(3).plusMillis(500));
        Duration bounded = JitSettle.await(Duration.ofMillis(10));
        assertThat(bounded).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void aZeroLimitDoesNotWait() throws InterruptedException {
        assertThat(JitSettle.await(Duration.ZERO)).isZero();
    }
}
