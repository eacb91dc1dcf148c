package io.lem.plugins.nvml;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PowerIntegratorTest {

    private static final long MS = 1_000_000;

    @Test
    void trapezoidOverIrregularSampleTimesWithTheBoundOfEachInterval() {
        PowerIntegrator integrator = new PowerIntegrator();
        integrator.add(1_000 * MS, 100);
        integrator.add(1_100 * MS, 100); // 10 J, bound 0
        integrator.add(1_300 * MS, 200); // 30 J, bound 100 W × 0.2 s / 2 = 10 J
        integrator.add(1_300 * MS, 999); // same instant: ignored
        integrator.add(1_310 * MS, 220); // 2.1 J, bound 20 × 0.01 / 2 = 0.1 J

        assertThat(integrator.joules()).isCloseTo(42.1, within(1e-9));
        assertThat(integrator.uncertaintyJoules()).isCloseTo(Math.sqrt(10 * 10 + 0.1 * 0.1), within(1e-9));
        assertThat(integrator.samples()).isEqualTo(4);
        assertThat(integrator.lastNanos() - integrator.firstNanos()).isEqualTo(310 * MS);
    }

    @Test
    void oneSampleIsNoEnergyYet() {
        PowerIntegrator integrator = new PowerIntegrator();
        integrator.add(5, 300);
        assertThat(integrator.joules()).isZero();
        assertThat(integrator.uncertaintyJoules()).isZero();
    }
}
