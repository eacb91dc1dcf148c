package io.lem.plugins.cpumodel;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** Real OSHI on this machine: no exact values, only that the model works and is cheap. */
class CpuModelSmokeTest {

    @Test
    void realCpuEnergyGrowsOverABusyLoopAndSamplingIsCheap() throws Exception {
        EnergySourceProvider provider = ServiceLoader.load(EnergySourceProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("cpu-model")).findFirst().orElseThrow();
        assertThat(provider.fallbackFor()).isEqualTo("rapl");
        assertThat(provider.scope()).isEqualTo(Scope.HOST);
        PluginContext context = PluginContext.local("h");
        assertThat(provider.probe(context)).isEqualTo(Availability.yes());

        try (EnergySource source = provider.open(context)) {
            assertThat(source.devices()).isNotEmpty();
            String key = source.devices().get(0).key();
            assertThat(key).startsWith("cpu:h:package-");
            double before = source.readEnergy().get(key).energyJoules();

            spin(300);
            Map<String, EnergyCounter> after = source.readEnergy();
            assertThat(after.get(key).energyJoules()).isGreaterThan(before);
            assertThat(after.get(key).uncertaintyJoules()).isPositive();

            // the sampler's work is one readEnergy's work: budget 0.5% of a core at 100 ms = 500 µs CPU per sample
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuStart = threads.getCurrentThreadCpuTime();
            int samples = 200;
            for (int i = 0; i < samples; i++) {
                source.readEnergy();
            }
            long perSampleNanos = (threads.getCurrentThreadCpuTime() - cpuStart) / samples;
            System.out.println("cpu-model: CPU time per sample " + perSampleNanos / 1000 + " µs");
            assertThat(perSampleNanos).isLessThan(500_000);
        }
    }

    private static double spin(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        double x = 0;
        while (System.nanoTime() < end) {
            x += Math.sqrt(x + 1);
        }
        return x;
    }
}
