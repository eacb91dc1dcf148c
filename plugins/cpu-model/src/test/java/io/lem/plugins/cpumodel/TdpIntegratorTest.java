package io.lem.plugins.cpumodel;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TdpIntegratorTest {

    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private final Deque<double[]> loads = new ArrayDeque<>();
    private final PackageUtilization utilization = loads::removeFirst;

    private void advance(long millis, double... load) {
        clock.addAndGet(millis * 1_000_000L);
        loads.addLast(load);
    }

    @Test
    void integratesTdpTimesMeanUtilizationPerInterval() {
        TdpIntegrator integrator = new TdpIntegrator(new double[]{200, 100}, utilization, clock::get);

        advance(100, 0.5, 1.0);
        integrator.sample();            // 200 W × 0.5 × 0.1 s = 10 J ; 100 W × 1.0 × 0.1 s = 10 J
        advance(300, 0.25, 0.0);
        integrator.sample();            // + 200 × 0.25 × 0.3 = 15 J ; + 0

        assertThat(integrator.joules()[0]).isCloseTo(25.0, within(1e-9));
        assertThat(integrator.joules()[1]).isCloseTo(10.0, within(1e-9));
        assertThat(integrator.powerWatts()).containsExactly(50.0, 0.0);
    }

    @Test
    void holdsTheLastUtilizationWhenTheCountersDidNotMove() {
        TdpIntegrator integrator = new TdpIntegrator(new double[]{100}, utilization, clock::get);
        advance(100, 0.4);
        integrator.sample();            // 4 J
        advance(5, Double.NaN);
        integrator.sample();            // + 100 × 0.4 × 0.005 = 0.2 J
        assertThat(integrator.joules()[0]).isCloseTo(4.2, within(1e-9));
    }

    @Test
    void sourceReportsModelEnergyWithUncertaintyPerPackage() {
        TdpIntegrator integrator = new TdpIntegrator(new double[]{120, 8}, utilization, clock::get);
        List<PackageModel> packages = List.of(
                new PackageModel("cpu:h:package-0", 120, new Tdp(120, 0, Tdp.Match.EXACT, "t")),
                new PackageModel("cpu:h:package-1", 8, new Tdp(8, 2, Tdp.Match.FALLBACK, "f")));
        CpuModelSource source = new CpuModelSource("cpu-model", "X", packages, integrator, Duration.ofMillis(100));

        advance(1000, 0.5, 1.0);
        Map<String, EnergyCounter> energy = source.readEnergy();

        EnergyCounter pkg0 = energy.get("cpu:h:package-0");
        assertThat(pkg0.method()).isEqualTo(EnergyMethod.MODEL);
        assertThat(pkg0.energyJoules()).isCloseTo(60.0, within(1e-9));
        assertThat(pkg0.uncertaintyJoules()).isCloseTo(30.0, within(1e-9));
        assertThat(energy.get("cpu:h:package-1").uncertaintyJoules()).isCloseTo(8.0, within(1e-9));
        assertThat(source.readPowerWatts()).containsEntry("cpu:h:package-0", 60.0);
        assertThat(source.updatePeriod()).isEqualTo(Duration.ofMillis(100));
        assertThat(source.devices()).extracting(d -> d.kind()).containsOnly("cpu");
    }

    @Test
    void aPowerReadIntegratesTooSoEnergyIsExactWhateverTheReadPattern() {
        TdpIntegrator integrator = new TdpIntegrator(new double[]{120}, utilization, clock::get);
        CpuModelSource source = new CpuModelSource("cpu-model", "X",
                List.of(new PackageModel("k", 120, new Tdp(120, 0, Tdp.Match.EXACT, ""))), integrator,
                Duration.ofMillis(100));

        advance(100, 0.5);
        assertThat(source.readPowerWatts()).containsEntry("k", 60.0);   // 120 W × 0.5 over the last 100 ms
        advance(300, 1.0);
        assertThat(source.readPowerWatts()).containsEntry("k", 120.0);
        // 120 × 0.5 × 0.1 + 120 × 1.0 × 0.3 = 42 J, and a read with no time passed consumes no counters
        assertThat(source.readEnergy().get("k").energyJoules()).isCloseTo(42.0, within(1e-9));
        assertThat(loads).isEmpty();
        source.close();
    }
}
