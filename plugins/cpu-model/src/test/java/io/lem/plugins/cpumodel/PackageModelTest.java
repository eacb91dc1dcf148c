package io.lem.plugins.cpumodel;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

class PackageModelTest {

    private static final TdpTable TABLE = TdpTable.load();
    private static final CpuModelSettings DEFAULTS = new CpuModelSettings(OptionalDouble.empty(), 4);

    @Test
    void oneModelPerSocketKeyedLikeRapl() {
        // two sockets of 128 threads, package ids 0 and 1
        List<Integer> of = new java.util.ArrayList<>();
        for (int i = 0; i < 256; i++) {
            of.add(i < 128 ? 0 : 1);
        }
        CpuTopology topology = new CpuTopology("AMD EPYC 7742 64-Core Processor", List.of(0, 1), of, false);

        List<PackageModel> models = PackageModel.of(topology, DEFAULTS, TABLE, "h");

        assertThat(models).extracting(PackageModel::deviceKey).containsExactly("cpu:h:package-0", "cpu:h:package-1");
        assertThat(models).extracting(PackageModel::watts).containsExactly(225.0, 225.0);
    }

    @Test
    void virtualMachineGetsItsShareOfTheSocket() {
        CpuTopology vm = new CpuTopology("AMD EPYC 9654 96-Core Processor", List.of(0), List.of(0, 0, 0, 0), true);
        assertThat(PackageModel.of(vm, DEFAULTS, TABLE, "h").get(0).watts()).isEqualTo(360.0 * 4 / 192);
    }

    @Test
    void settingOverridesTheTable() {
        CpuTopology vm = new CpuTopology("AMD EPYC 9654 96-Core Processor", List.of(0), List.of(0, 0), true);
        PackageModel model = PackageModel.of(vm, new CpuModelSettings(OptionalDouble.of(42), 4), TABLE, "h").get(0);
        assertThat(model.watts()).isEqualTo(42.0);
        assertThat(model.tdp().match()).isEqualTo(Tdp.Match.SETTING);
    }
}
