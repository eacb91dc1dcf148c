package io.lem.api.energy;

import io.lem.api.event.DeviceInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnergyMonitorTest {

    /** A source whose cumulative counters the test sets by hand. */
    static final class ScriptedSource implements EnergySource {
        final Map<String, EnergyCounter> counters = new HashMap<>();
        final String name;
        final Duration period;

        ScriptedSource(String name, Duration period) {
            this.name = name;
            this.period = period;
        }

        void set(String key, EnergyMethod method, double joules, Double uncertainty) {
            counters.put(key, new EnergyCounter(key, method, joules, uncertainty));
        }

        @Override
        public String pluginName() {
            return name;
        }

        @Override
        public List<DeviceInfo> devices() {
            return List.of();
        }

        @Override
        public Map<String, EnergyCounter> readEnergy() {
            return Map.copyOf(counters);
        }

        @Override
        public Duration updatePeriod() {
            return period;
        }

        @Override
        public void close() {
        }
    }

    private final AtomicLong clock = new AtomicLong(1_000);
    private final ScriptedSource gpu = new ScriptedSource("nvml", Duration.ofMillis(100));
    private final ScriptedSource cpu = new ScriptedSource("rapl", Duration.ofMillis(1));
    private final EnergyMonitor monitor = new EnergyMonitor(List.of(gpu, cpu), clock::get);

    @Test
    void overlappingWindowsEachGetTheirOwnDelta() {
        gpu.set("gpu:A", EnergyMethod.COUNTER, 100, 0.3);
        cpu.set("cpu:h:package-0", EnergyMethod.COUNTER, 50, null);
        monitor.begin("run");
        clock.addAndGet(1_000_000_000);
        gpu.set("gpu:A", EnergyMethod.COUNTER, 400, 0.4);
        monitor.begin("batch-0");
        clock.addAndGet(500_000_000);
        gpu.set("gpu:A", EnergyMethod.COUNTER, 550, 0.4);
        cpu.set("cpu:h:package-0", EnergyMethod.COUNTER, 80, null);

        Measurement batch = monitor.end("batch-0");
        Measurement run = monitor.end("run");

        assertThat(batch.durationNanos()).isEqualTo(500_000_000);
        assertThat(batch.energyJoules("gpu:A")).hasValue(150);
        assertThat(run.durationNanos()).isEqualTo(1_500_000_000);
        assertThat(run.energyJoules("gpu:A")).hasValue(450);
        assertThat(run.energyJoules("cpu:h:package-0")).hasValue(30);
        assertThat(run.totalEnergyJoules()).hasValue(480);
        DomainEnergy gpuDomain = run.domains().get("gpu:A");
        assertThat(gpuDomain.source()).isEqualTo("nvml");
        assertThat(gpuDomain.method()).isEqualTo(EnergyMethod.COUNTER);
        assertThat(gpuDomain.uncertaintyJoules()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(run.domains().get("cpu:h:package-0").uncertaintyJoules()).isNull();
        assertThat(monitor.openWindows()).isEmpty();
    }

    @Test
    void aDeviceMissingAtEitherEdgeIsAbsentNotZero() {
        gpu.set("gpu:A", EnergyMethod.COUNTER, 1, null);
        monitor.begin("w");
        gpu.counters.clear();
        cpu.set("cpu:h:package-0", EnergyMethod.COUNTER, 5, null);
        clock.addAndGet(1_000_000_000);
        Measurement w = monitor.end("w");
        assertThat(w.domains()).isEmpty();
        assertThat(w.energyJoules("gpu:A")).isEmpty();
        assertThat(w.totalEnergyJoules()).isEmpty();
    }

    @Test
    void windowShorterThanTheCounterPeriodIsFlagged() {
        gpu.set("gpu:A", EnergyMethod.COUNTER, 1, null);
        cpu.set("cpu:h:package-0", EnergyMethod.COUNTER, 1, null);
        monitor.begin("tiny");
        clock.addAndGet(20_000_000);
        Measurement tiny = monitor.end("tiny");
        assertThat(tiny.domains().get("gpu:A").shorterThanUpdatePeriod()).isTrue();
        assertThat(tiny.domains().get("cpu:h:package-0").shorterThanUpdatePeriod()).isFalse();
    }

    @Test
    void firstSourceWinsADuplicatedKey() {
        gpu.set("gpu:A", EnergyMethod.COUNTER, 0, null);
        cpu.set("gpu:A", EnergyMethod.MODEL, 0, null);
        monitor.begin("w");
        gpu.set("gpu:A", EnergyMethod.COUNTER, 10, null);
        cpu.set("gpu:A", EnergyMethod.MODEL, 99, null);
        assertThat(monitor.end("w").domains().get("gpu:A").energyJoules()).isEqualTo(10);
    }

    @Test
    void accumulatedUncertaintyOfSampledEnergyIsDifferencedNotAddedInQuadrature() {
        gpu.set("gpu:S", EnergyMethod.SAMPLED_POWER, 1000, 30.0);
        monitor.begin("late");
        clock.addAndGet(1_000_000_000);
        gpu.set("gpu:S", EnergyMethod.SAMPLED_POWER, 1300, 31.5);
        assertThat(monitor.end("late").domains().get("gpu:S").uncertaintyJoules())
                .isCloseTo(1.5, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void misuseIsNamed() {
        monitor.begin("a");
        assertThatThrownBy(() -> monitor.begin("a")).hasMessage("measurement window 'a' is already open");
        assertThatThrownBy(() -> monitor.end("b")).hasMessage("no open measurement window 'b'; open: [a]");
    }

    @Test
    void counterRejectsNegativeOrNonFiniteEnergy() {
        assertThatThrownBy(() -> new EnergyCounter("k", EnergyMethod.COUNTER, -1, null))
                .hasMessageContaining("k: energyJoules must be finite and >= 0");
        assertThatThrownBy(() -> new EnergyCounter("k", EnergyMethod.COUNTER, Double.NaN, null))
                .hasMessageContaining("finite");
    }
}
