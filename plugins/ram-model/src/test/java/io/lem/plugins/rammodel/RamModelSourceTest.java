package io.lem.plugins.rammodel;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RamModelSourceTest {

    private static final long GIB = 1L << 30;
    private final AtomicLong clock = new AtomicLong(7_000_000_000L);

    @Test
    void threeWattsPerEightGibTimesElapsedTime() throws Exception {
        RamModelProvider provider = new RamModelProvider(() -> 64 * GIB, clock::get);
        try (EnergySource source = provider.open(PluginContext.local("h"))) {
            assertThat(source.readEnergy().get("ram-model:h").energyJoules()).isZero();

            clock.addAndGet(10_000_000_000L);           // 10 s at 64 GiB × 0.375 W/GiB = 24 W
            EnergyCounter counter = source.readEnergy().get("ram-model:h");

            assertThat(counter.energyJoules()).isCloseTo(240.0, within(1e-9));
            assertThat(counter.uncertaintyJoules()).isCloseTo(120.0, within(1e-9));
            assertThat(counter.method()).isEqualTo(EnergyMethod.MODEL);
            assertThat(source.readPowerWatts()).containsEntry("ram-model:h", 24.0);
            assertThat(source.devices().get(0).memoryTotalBytes()).isEqualTo(64 * GIB);
        }
    }

    @Test
    void settingsReplaceTheFigure() throws Exception {
        RamModelProvider provider = new RamModelProvider(() -> 1024 * GIB, clock::get);
        PluginContext perGb = PluginContext.local("h").withSettings(Map.of("ram-model.watts-per-gb", "0.1"));
        PluginContext total = PluginContext.local("h").withSettings(Map.of("ram-model.watts", "40"));
        try (EnergySource a = provider.open(perGb); EnergySource b = provider.open(total)) {
            clock.addAndGet(2_000_000_000L);
            assertThat(a.readEnergy().get("ram-model:h").energyJoules()).isCloseTo(204.8, within(1e-9));
            assertThat(b.readEnergy().get("ram-model:h").energyJoules()).isCloseTo(80.0, within(1e-9));
        }
        Availability bad = provider.probe(PluginContext.local("h").withSettings(Map.of("ram-model.watts", "-1")));
        assertThat(bad.reason()).contains("ram-model.watts");
        assertThat(new RamModelProvider(() -> 0, clock::get).probe(PluginContext.local("h")).available()).isFalse();
    }

    @Test
    void realOshiMemorySmokeTest() throws Exception {
        EnergySourceProvider provider = ServiceLoader.load(EnergySourceProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("ram-model")).findFirst().orElseThrow();
        assertThat(provider.scope()).isEqualTo(Scope.HOST);
        PluginContext context = PluginContext.local("h");
        assertThat(provider.probe(context)).isEqualTo(Availability.yes());
        try (EnergySource source = provider.open(context)) {
            assertThat(source.devices().get(0).memoryTotalBytes()).isPositive();
            double first = source.readEnergy().get("ram-model:h").energyJoules();
            long until = System.nanoTime() + 20_000_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertThat(source.readEnergy().get("ram-model:h").energyJoules()).isGreaterThan(first);
            assertThat(source.readPowerWatts().get("ram-model:h")).isPositive();
        }
    }
}
