package io.lem.plugins.rapl;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class RaplProviderTest {

    @TempDir
    Path root;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    private PluginContext context() {
        return PluginContext.local("h").withSettings(Map.of("rapl.root", root.toString()));
    }

    @Test
    void registeredAsHostLevelServiceAndNoFallback() {
        EnergySourceProvider provider = ServiceLoader.load(EnergySourceProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("rapl")).findFirst().orElseThrow();
        assertThat(provider.scope()).isEqualTo(Scope.HOST);
        assertThat(provider.fallbackFor()).isNull();
    }

    @Test
    void twoSocketsWithDramCountThroughAWrap() throws Exception {
        FakePowercap tree = new FakePowercap(root);
        long dramRange = 65_712_999_613L;
        Path pkg0 = tree.zone("intel-rapl:0", "package-0", 10_000_000, FakePowercap.INTEL_RANGE_UJ);
        tree.zone("intel-rapl:0:0", "core", 5_000_000, FakePowercap.INTEL_RANGE_UJ);
        Path dram0 = tree.zone("intel-rapl:0:1", "dram", dramRange - 1_000_000, dramRange);
        Path pkg1 = tree.zone("intel-rapl:1", "package-1", 20_000_000, FakePowercap.INTEL_RANGE_UJ);
        Path dram1 = tree.zone("intel-rapl:1:0", "dram", 0, dramRange);
        RaplProvider provider = new RaplProvider(SysfsReader.FILES, clock::get);
        assertThat(provider.probe(context())).isEqualTo(Availability.yes());

        try (EnergySource source = provider.open(context())) {
            assertThat(source.devices()).extracting(d -> d.key())
                    .containsExactly("cpu:h:package-0", "cpu:h:package-1", "dram:h:0", "dram:h:1");
            assertThat(source.updatePeriod()).isEqualTo(Duration.ofMillis(1));
            assertThat(source.readEnergy().values()).extracting(EnergyCounter::energyJoules).containsOnly(0.0);

            tree.setEnergy(pkg0, 15_000_000);        // +5 J
            tree.setEnergy(pkg1, 23_000_000);        // +3 J
            tree.setEnergy(dram0, 500_000);          // wrapped: +1 J to the top, +0.5 J after
            tree.setEnergy(dram1, 2_000_000);        // +2 J
            clock.addAndGet(2_000_000_000L);

            Map<String, EnergyCounter> energy = source.readEnergy();
            assertThat(energy.get("cpu:h:package-0").energyJoules()).isCloseTo(5.0, within(1e-9));
            assertThat(energy.get("cpu:h:package-1").energyJoules()).isCloseTo(3.0, within(1e-9));
            assertThat(energy.get("dram:h:0").energyJoules()).isCloseTo(1.5, within(1e-9));
            assertThat(energy.get("dram:h:1").energyJoules()).isCloseTo(2.0, within(1e-9));
            assertThat(energy.values()).extracting(EnergyCounter::method).containsOnly(EnergyMethod.COUNTER);

            Map<String, Double> watts = source.readPowerWatts();
            assertThat(watts.get("cpu:h:package-0")).isCloseTo(2.5, within(1e-9)); // 5 J over 2 s
        }
    }

    @Test
    void wrapGuardReadsOftenEnoughAndStopsOnClose() throws Exception {
        FakePowercap tree = new FakePowercap(root);
        Path pkg = tree.zone("amd-rapl:0", "package-0", 900_000, 1_000_000);
        List<RaplDomain> domains = PowercapTree.scan(root, "h", SysfsReader.FILES);
        // a 65.5 kJ AMD counter at 1000 W wraps after 65.5 s: look twice as often
        RaplDomain amd = new RaplDomain("k", "cpu", "amd-rapl:0", "package-0", pkg, 65_535_999_984L);
        assertThat(RaplSource.guardInterval(List.of(amd), 1000).toMillis()).isEqualTo(32_767);
        assertThat(RaplSource.guardInterval(List.of(), 1000)).isEqualTo(Duration.ofSeconds(60));

        RaplSource source = new RaplSource("rapl", domains, SysfsReader.FILES, clock::get, 1000);
        // two wraps between the caller's reads are caught because the guard read in between
        tree.setEnergy(pkg, 100_000);
        source.poll();
        tree.setEnergy(pkg, 50_000);
        assertThat(source.readEnergy().get("cpu:h:package-0").energyJoules()).isCloseTo(1.15, within(1e-9));
        assertThat(source.wraps("cpu:h:package-0")).isEqualTo(2);

        source.startGuard(Duration.ofSeconds(30));
        assertThat(source.guardStopped()).isFalse();
        source.close();
        assertThat(source.guardStopped()).isTrue();
        source.close(); // idempotent
    }

    @Test
    void permissionDeniedSaysHowToGrantAccess() throws IOException {
        FakePowercap tree = new FakePowercap(root);
        tree.zone("intel-rapl:0", "package-0", 1, FakePowercap.INTEL_RANGE_UJ);
        // tests may run as root, who can read a mode-000 file: simulate the kernel's EACCES
        SysfsReader denying = path -> {
            if (path.getFileName().toString().equals("energy_uj")) {
                throw new AccessDeniedException(path.toString());
            }
            return SysfsReader.FILES.read(path);
        };
        RaplProvider provider = new RaplProvider(denying, clock::get);

        Availability availability = provider.probe(context());

        assertThat(availability.available()).isFalse();
        assertThat(availability.reason()).contains("permission denied", "sudo chmod a+r " + root + "/intel-rapl:*/energy_uj",
                "udev");
        assertThatThrownBy(() -> provider.open(context())).isInstanceOf(PluginException.class)
                .hasMessageContaining("permission denied");
    }

    @Test
    void unreadableFileOnDiskIsDeniedForNonRoot() throws IOException {
        FakePowercap tree = new FakePowercap(root);
        Path energy = tree.zone("intel-rapl:0", "package-0", 1, FakePowercap.INTEL_RANGE_UJ).resolve("energy_uj");
        Files.setPosixFilePermissions(energy, PosixFilePermissions.fromString("---------"));
        try {
            assumeFalse(Files.isReadable(energy), "running as root: mode 000 does not stop reading");
            assertThat(new RaplProvider().probe(context()).reason()).contains("permission denied");
        } finally {
            Files.setPosixFilePermissions(energy, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    @Test
    void emptyTreeIsUnavailable() {
        Availability availability = new RaplProvider().probe(context());
        assertThat(availability.available()).isFalse();
        assertThat(availability.reason()).startsWith("no RAPL domains under " + root);
        assertThatThrownBy(() -> new RaplProvider().open(context())).isInstanceOf(PluginException.class);
    }

    @Test
    void badSettingIsUnavailableWithItsName() {
        Availability availability = new RaplProvider().probe(
                context().withSettings(Map.of("rapl.root", root.toString(), "rapl.max-plausible-watts", "lots")));
        assertThat(availability.reason()).contains("rapl.max-plausible-watts");
    }
}
