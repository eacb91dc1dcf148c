package io.lem.plugins.carbon;

import io.lem.api.carbon.CarbonIntensityProvider;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

class GridIntensityProviderTest {

    private static PluginContext context(Map<String, String> settings) {
        return PluginContext.local("host-a").withSettings(settings).withEnvironment(Map.of());
    }

    @Test
    void isFoundByServiceLoader() {
        assertThat(ServiceLoader.load(CarbonIntensityProvider.class).stream().map(ServiceLoader.Provider::get))
                .anySatisfy(p -> {
                    assertThat(p.name()).isEqualTo("carbon");
                    assertThat(p.kind()).isEqualTo(PluginKind.CARBON);
                });
    }

    @Test
    void answersFromTheBuiltInTableWithoutProbe() {
        GridIntensityProvider provider = new GridIntensityProvider();

        assertThat(provider.intensity("se")).hasValueSatisfying(g -> assertThat(g.gramsCo2PerKwh()).isEqualTo(40.7));
        assertThat(provider.intensity("nowhere")).isEmpty();
        assertThat(provider.regions()).hasSize(CarbonTable.builtIn().size());
    }

    @Test
    void probeAppliesTheConfiguredTableAndListsRegions(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("grid.csv"),
                "region,name,g_co2e_per_kwh,source,year\nDC-1,Site one,123,meter,2024\n");
        GridIntensityProvider provider = new GridIntensityProvider();

        Availability availability = provider.probe(context(Map.of(CarbonTable.SETTING, csv.toString())));

        assertThat(availability.available()).isTrue();
        assertThat(availability.reason()).contains("DC-1").contains("FR").contains(csv.toString());
        assertThat(provider.intensity("dc-1")).hasValueSatisfying(g -> assertThat(g.gramsCo2PerKwh()).isEqualTo(123));
    }

    @Test
    void probeReportsABadTableWithItsLineAndKeepsThePreviousOne(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("bad.csv"),
                "region,name,g_co2e_per_kwh,source,year\nDC-1,Site one,123,meter,2024\nDC-2,Site two,12,meter\n");
        GridIntensityProvider provider = new GridIntensityProvider();

        Availability availability = provider.probe(context(Map.of(CarbonTable.SETTING, csv.toString())));

        assertThat(availability.available()).isFalse();
        assertThat(availability.reason()).startsWith(csv + " line 3:").contains("expected 5 fields");
        assertThat(provider.intensity("FR")).isPresent();
        assertThat(provider.intensity("DC-1")).isEmpty();
    }

    @Test
    void probeReportsAMissingFile(@TempDir Path dir) {
        Availability availability = new GridIntensityProvider()
                .probe(context(Map.of(CarbonTable.SETTING, dir.resolve("absent.csv").toString())));

        assertThat(availability.available()).isFalse();
        assertThat(availability.reason()).contains("absent.csv").contains("does not exist");
    }
}
