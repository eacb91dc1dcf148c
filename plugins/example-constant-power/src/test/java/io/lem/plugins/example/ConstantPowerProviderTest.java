package io.lem.plugins.example;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;
import io.lem.api.plugin.PluginKind;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ConstantPowerProviderTest {

    private static final PluginContext CONTEXT = PluginContext.local("node-1").withEnvironment(Map.of());

    @Test
    void declaresItsMetadataAndIsRegisteredAsAService() {
        ConstantPowerProvider provider = new ConstantPowerProvider();
        assertThat(provider.name()).isEqualTo("constant-power");
        assertThat(provider.kind()).isEqualTo(PluginKind.ENERGY);
        assertThat(provider.scope()).isEqualTo(Scope.PROCESS);
        assertThat(provider.fallbackFor()).isNull();
        assertThat(ServiceLoader.load(EnergySourceProvider.class).stream().map(p -> p.type().getName()))
                .contains(ConstantPowerProvider.class.getName());
    }

    @Test
    void energyIsWattsTimesElapsedSinceOpen() throws PluginException {
        AtomicLong clock = new AtomicLong(5_000_000_000L);
        ConstantPowerProvider provider = new ConstantPowerProvider(clock::get);
        try (EnergySource source = provider.open(CONTEXT.withSettings(Map.of("constant-power.watts", "10")))) {
            assertThat(source.devices()).singleElement().satisfies(d -> assertThat(d.key()).isEqualTo("const:node-1:0"));
            assertThat(source.readEnergy().get("const:node-1:0").energyJoules()).isZero();
            clock.addAndGet(2_500_000_000L);
            EnergyCounter counter = source.readEnergy().get("const:node-1:0");
            assertThat(counter.energyJoules()).isCloseTo(25.0, within(1e-9));
            assertThat(counter.method()).isEqualTo(EnergyMethod.MODEL);
            assertThat(source.readPowerWatts()).containsEntry("const:node-1:0", 10.0);
            source.close();
            assertThat(source.readEnergy()).as("closed: absent, never 0").isEmpty();
        }
    }

    @Test
    void defaultIs42WattsAndABadSettingIsUnavailableWithTheReason() throws PluginException {
        assertThat(ConstantPowerProvider.watts(CONTEXT)).isEqualTo(42.0);
        Availability bad = new ConstantPowerProvider().probe(CONTEXT.withSettings(Map.of("constant-power.watts", "lots")));
        assertThat(bad.available()).isFalse();
        assertThat(bad.reason()).contains("constant-power.watts must be a number of watts, was 'lots'");
        assertThat(new ConstantPowerProvider().probe(CONTEXT.withSettings(Map.of("constant-power.watts", "-1")))
                .reason()).contains(">= 0");
        assertThatThrownBy(() -> new ConstantPowerProvider().open(CONTEXT.withSettings(Map.of("constant-power.watts", "NaN"))))
                .isInstanceOf(PluginException.class);
    }
}
