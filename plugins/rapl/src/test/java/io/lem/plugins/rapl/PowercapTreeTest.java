package io.lem.plugins.rapl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PowercapTreeTest {

    @TempDir
    Path root;

    @Test
    void twoIntelSocketsKeepPackagesAndDramOnly() throws IOException {
        FakePowercap tree = new FakePowercap(root);
        tree.zone("intel-rapl:0", "package-0", 1_000, FakePowercap.INTEL_RANGE_UJ);
        tree.zone("intel-rapl:0:0", "core", 500, FakePowercap.INTEL_RANGE_UJ);
        tree.zone("intel-rapl:0:1", "uncore", 100, FakePowercap.INTEL_RANGE_UJ);
        tree.zone("intel-rapl:0:2", "dram", 200, 65_712_999_613L);
        tree.zone("intel-rapl:1", "package-1", 2_000, FakePowercap.INTEL_RANGE_UJ);
        tree.zone("intel-rapl:1:0", "dram", 300, 65_712_999_613L);
        tree.zone("intel-rapl:2", "psys", 9_000, FakePowercap.INTEL_RANGE_UJ);
        // the flat symlink /sys/class/powercap also has for each subzone must not produce a second domain
        Files.createSymbolicLink(root.resolve("intel-rapl:0:2"), root.resolve("intel-rapl:0").resolve("intel-rapl:0:2"));
        // the MMIO view of package 0 is the same counter
        tree.zone("intel-rapl-mmio:0", "package-0", 1_000, FakePowercap.INTEL_RANGE_UJ);

        List<RaplDomain> domains = PowercapTree.scan(root, "h", SysfsReader.FILES);

        assertThat(domains).extracting(RaplDomain::deviceKey)
                .containsExactly("cpu:h:package-0", "cpu:h:package-1", "dram:h:0", "dram:h:1");
        assertThat(domains).extracting(RaplDomain::zoneId)
                .containsExactly("intel-rapl:0", "intel-rapl:1", "intel-rapl:0:2", "intel-rapl:1:0");
        assertThat(domains.get(2).maxEnergyRangeUj()).isEqualTo(65_712_999_613L);
    }

    @Test
    void amdNamedTreeHasPackagesWithoutDram() throws IOException {
        FakePowercap tree = new FakePowercap(root);
        tree.zone("amd-rapl:0", "package-0", 10, 65_535_999_984L);
        tree.zone("amd-rapl:0:0", "core", 5, 65_535_999_984L);
        tree.zone("amd-rapl:1", "package-1", 20, 65_535_999_984L);

        assertThat(PowercapTree.scan(root, "h", SysfsReader.FILES)).extracting(RaplDomain::deviceKey, RaplDomain::kind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("cpu:h:package-0", "cpu"),
                        org.assertj.core.groups.Tuple.tuple("cpu:h:package-1", "cpu"));
    }

    @Test
    void multiDiePackagesKeepTheirDieInTheKey() throws IOException {
        FakePowercap tree = new FakePowercap(root);
        tree.zone("intel-rapl:0", "package-0-die-0", 1, FakePowercap.INTEL_RANGE_UJ);
        tree.zone("intel-rapl:1", "package-0-die-1", 1, FakePowercap.INTEL_RANGE_UJ);
        tree.zone("intel-rapl:1:0", "dram", 1, FakePowercap.INTEL_RANGE_UJ);

        assertThat(PowercapTree.scan(root, "h", SysfsReader.FILES)).extracting(RaplDomain::deviceKey)
                .containsExactly("cpu:h:package-0-die-0", "cpu:h:package-0-die-1", "dram:h:0-die-1");
    }

    @Test
    void rootAboveTheControlTypeFindsNestedZones() throws IOException {
        FakePowercap tree = new FakePowercap(root.resolve("intel-rapl"));
        tree.zone("intel-rapl:0", "package-0", 1, FakePowercap.INTEL_RANGE_UJ);
        tree.zone("intel-rapl:0:0", "dram", 1, FakePowercap.INTEL_RANGE_UJ);

        assertThat(PowercapTree.scan(root, "h", SysfsReader.FILES)).extracting(RaplDomain::deviceKey)
                .containsExactly("cpu:h:package-0", "dram:h:0");
    }

    @Test
    void missingOrEmptyRootHasNoDomains() throws IOException {
        assertThat(PowercapTree.scan(root, "h", SysfsReader.FILES)).isEmpty();
        assertThat(PowercapTree.scan(root.resolve("absent"), "h", SysfsReader.FILES)).isEmpty();
    }
}
