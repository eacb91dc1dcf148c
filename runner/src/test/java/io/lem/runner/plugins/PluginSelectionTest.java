package io.lem.runner.plugins;

import io.lem.api.carbon.CarbonIntensityProvider;
import io.lem.api.carbon.GridIntensity;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.flops.FlopsEstimator;
import io.lem.api.flops.FlopsEstimatorProvider;
import io.lem.api.flops.ModelArchitecture;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.LemPlugin;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;
import io.lem.api.plugin.PluginKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Selection rules on a registry of made-up plugins named like the real built-ins. */
class PluginSelectionTest {

    private static final PluginContext CONTEXT = PluginContext.local("node-1").withEnvironment(Map.of());
    private static final String RAPL_DENIED = "cannot read /sys/class/powercap/intel-rapl:0/energy_uj: permission denied";

    private record Energy(String name, int rank, Scope scope, String fallbackFor, Availability availability)
            implements EnergySourceProvider {
        @Override
        public String version() {
            return "1.0";
        }

        @Override
        public Availability probe(PluginContext context) {
            return availability;
        }

        @Override
        public EnergySource open(PluginContext context) throws PluginException {
            throw new PluginException("not in this test");
        }
    }

    private record Carbon(String name, int rank, Availability availability) implements CarbonIntensityProvider {
        @Override
        public String version() {
            return "1.0";
        }

        @Override
        public Availability probe(PluginContext context) {
            return availability;
        }

        @Override
        public Optional<GridIntensity> intensity(String region) {
            return Optional.empty();
        }

        @Override
        public List<GridIntensity> regions() {
            return List.of();
        }
    }

    private record Flops(String name, int rank, Availability availability) implements FlopsEstimatorProvider {
        @Override
        public String version() {
            return "1.0";
        }

        @Override
        public Availability probe(PluginContext context) {
            return availability;
        }

        @Override
        public List<String> methods() {
            return List.of("parameter");
        }

        @Override
        public FlopsEstimator forModel(ModelArchitecture model) throws PluginException {
            throw new PluginException("not in this test");
        }
    }

    private static PluginRegistry registry(boolean raplAvailable, LemPlugin... extra) {
        List<LemPlugin> plugins = new ArrayList<>(List.of(
                new Energy("nvml", 100, Scope.PROCESS, null, Availability.yes()),
                new Energy("rapl", 90, Scope.HOST, null, raplAvailable ? Availability.yes() : Availability.no(RAPL_DENIED)),
                new Energy("cpu-model", 20, Scope.HOST, "rapl", Availability.yes()),
                new Energy("ram-model", 10, Scope.HOST, null, Availability.yes()),
                new Energy("constant-power", 0, Scope.PROCESS, null, Availability.yes())));
        plugins.addAll(List.of(extra));
        return PluginRegistry.of(plugins.stream().map(p -> DiscoveredPlugin.of(p, DiscoveredPlugin.BUILT_IN, CONTEXT))
                .toList(), List.of(), CONTEXT);
    }

    @Test
    void byDefaultEveryAvailableSourceRunsByRankThenNameAndTheFallbackIsDroppedWhenItsTargetWorks() {
        EnergySelection selection = registry(true).selectEnergy(List.of(), List.of());
        assertThat(selection.names()).containsExactly("nvml", "rapl", "ram-model", "constant-power");
        assertThat(selection.notRun()).extracting(Object::toString)
                .containsExactly("cpu-model: fallback for rapl, which is selected and available");
        assertThat(selection.providers()).hasSize(4).allMatch(p -> p instanceof Energy);
        assertThat(selection.infos()).first().satisfies(i -> {
            assertThat(i.name()).isEqualTo("nvml");
            assertThat(i.kind()).isEqualTo("energy");
        });
    }

    @Test
    void theFallbackRunsWhenItsTargetIsUnavailableOrExcluded() {
        EnergySelection unavailable = registry(false).selectEnergy(List.of(), List.of());
        assertThat(unavailable.names()).containsExactly("nvml", "cpu-model", "ram-model", "constant-power");
        assertThat(unavailable.notRun()).extracting(Object::toString).containsExactly("rapl: unavailable: " + RAPL_DENIED);

        assertThat(registry(true).selectEnergy(List.of(), List.of("rapl")).names())
                .containsExactly("nvml", "cpu-model", "ram-model", "constant-power");
        assertThat(registry(true).selectEnergy(List.of("cpu-model"), List.of()).names())
                .as("rapl not selected: its fallback runs").containsExactly("cpu-model");
        assertThat(registry(true).selectEnergy(List.of("cpu-model", "rapl"), List.of()).names())
                .as("both asked for: still never both").containsExactly("rapl");
    }

    @Test
    void includeChoosesByNameExcludeRemovesAndWins() {
        PluginRegistry registry = registry(true);
        assertThat(registry.selectEnergy(List.of("constant-power", "nvml"), List.of()).names())
                .as("order by rank, not by request").containsExactly("nvml", "constant-power");
        assertThat(registry.selectEnergy(List.of(), List.of("nvml", "ram-model")).names())
                .containsExactly("rapl", "constant-power");
        EnergySelection both = registry.selectEnergy(List.of("nvml", "rapl"), List.of("rapl"));
        assertThat(both.names()).containsExactly("nvml");
        assertThat(both.notRun()).extracting(Object::toString).contains("rapl: excluded");
        assertThat(registry.selectEnergy(PluginRegistry.splitNames(" NVML, ,constant-power "), List.of()).names())
                .as("--energy-plugins is split on commas, trimmed, lower-cased")
                .containsExactly("nvml", "constant-power");
    }

    @Test
    void anUnknownNameFailsWithTheKnownOnes() {
        assertThatThrownBy(() -> registry(true).selectEnergy(List.of("nvmll"), List.of()))
                .isInstanceOf(UnknownPluginException.class)
                .hasMessage("unknown energy plugin 'nvmll'; known: nvml, rapl, cpu-model, ram-model, constant-power")
                .satisfies(e -> {
                    UnknownPluginException u = (UnknownPluginException) e;
                    assertThat(u.name()).isEqualTo("nvmll");
                    assertThat(u.kind()).isEqualTo(PluginKind.ENERGY);
                    assertThat(u.known()).hasSize(5);
                });
        assertThatThrownBy(() -> registry(true).selectEnergy(List.of(), List.of("rapll")))
                .isInstanceOf(UnknownPluginException.class)
                .hasMessageStartingWith("unknown energy plugin 'rapll'; known: ");
    }

    @Test
    void aRequestedButUnavailablePluginFailsWithItsReasonAnUnrequestedOneIsJustNotRun() {
        assertThatThrownBy(() -> registry(false).selectEnergy(List.of("nvml", "rapl"), List.of()))
                .isInstanceOf(PluginUnavailableException.class)
                .hasMessage("energy plugin 'rapl' is not available: " + RAPL_DENIED);
        assertThat(registry(false).selectEnergy(List.of("nvml", "rapl"), List.of("rapl")).names())
                .as("excluded too: not an error").containsExactly("nvml");
    }

    @Test
    void hostSourcesRunOnlyOnLocalRankZero() {
        EnergySelection rank1 = registry(true).selectEnergy(List.of(), List.of(), 1);
        assertThat(rank1.names()).containsExactly("nvml", "constant-power");
        assertThat(rank1.notRun()).extracting(Object::toString).containsExactlyInAnyOrder(
                "rapl: host-level source: runs on local rank 0 of each host only (this process is local rank 1)",
                "ram-model: host-level source: runs on local rank 0 of each host only (this process is local rank 1)",
                "cpu-model: fallback for rapl, which is selected and available");
        PluginRegistry onRank1 = PluginRegistry.of(registry(true).plugins(), List.of(), CONTEXT.withLocalRank(1));
        assertThat(onRank1.selectEnergy(List.of("rapl", "nvml"), List.of()).names())
                .as("the context's local rank by default").containsExactly("nvml");
        assertThat(registry(false).selectEnergy(List.of(), List.of(), 3).names())
                .as("the fallback is host-level too").containsExactly("nvml", "constant-power");
    }

    @Test
    void carbonIsTheAvailableOneOfHighestRankOrTheOneNamed() {
        PluginRegistry registry = registry(true,
                new Carbon("live-grid", 90, Availability.no("no API key")),
                new Carbon("ember-table", 50, Availability.yes()),
                new Carbon("old-table", 10, Availability.yes()));
        assertThat(registry.selectCarbon(null)).map(DiscoveredPlugin::name).contains("ember-table");
        assertThat(registry.selectCarbon(" ")).map(DiscoveredPlugin::name).contains("ember-table");
        assertThat(registry.selectCarbon("old-table")).map(p -> p.carbon().name()).contains("old-table");
        assertThatThrownBy(() -> registry.selectCarbon("live-grid")).isInstanceOf(PluginUnavailableException.class)
                .hasMessage("carbon plugin 'live-grid' is not available: no API key");
        assertThatThrownBy(() -> registry.selectCarbon("electricitymaps")).isInstanceOf(UnknownPluginException.class)
                .hasMessage("unknown carbon plugin 'electricitymaps'; known: live-grid, ember-table, old-table");
        assertThat(registry(true).selectCarbon(null)).isEmpty();
    }

    @Test
    void flopsAreAllAvailableOnesOrTheOnesNamed() {
        PluginRegistry registry = registry(true,
                new Flops("architecture", 50, Availability.yes()),
                new Flops("parameter", 60, Availability.yes()),
                new Flops("counted", 10, Availability.no("engine does not count")));
        assertThat(registry.selectFlops(List.of(), List.of())).extracting(DiscoveredPlugin::name)
                .containsExactly("parameter", "architecture");
        assertThat(registry.selectFlops(List.of("architecture"), List.of())).extracting(DiscoveredPlugin::name)
                .containsExactly("architecture");
        assertThat(registry.selectFlops(List.of(), List.of("parameter"))).extracting(p -> p.flops().name())
                .containsExactly("architecture");
        assertThatThrownBy(() -> registry.selectFlops(List.of("counted"), List.of()))
                .isInstanceOf(PluginUnavailableException.class).hasMessageEndingWith("engine does not count");
        assertThatThrownBy(() -> registry.selectFlops(List.of("nvml"), List.of()))
                .isInstanceOf(UnknownPluginException.class)
                .hasMessage("unknown flops plugin 'nvml'; known: parameter, architecture, counted");
    }

    @Test
    void listingIsByKindRankName() {
        PluginRegistry registry = registry(true, new Carbon("table", 1, Availability.yes()),
                new Flops("parameter", 1, Availability.yes()));
        assertThat(registry.plugins()).extracting(DiscoveredPlugin::name).containsExactly(
                "nvml", "rapl", "cpu-model", "ram-model", "constant-power", "parameter", "table");
        assertThat(registry.plugins(PluginKind.CARBON)).singleElement()
                .satisfies(p -> assertThat(p.status()).isEqualTo("available"));
    }
}
