package io.lem.plugins.cpumodel;

import oshi.hardware.CentralProcessor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * What the model needs to know about the CPUs.
 *
 * @param modelName        e.g. {@code AMD EPYC 7742 64-Core Processor}
 * @param packageNumbers   the kernel's package (socket) ids, ascending; device keys use them
 * @param packageOfLogical for each logical processor, in the order of OSHI's per-processor ticks (= /proc/stat),
 *                         the index into {@code packageNumbers}
 * @param virtualMachine   the CPU reports a hypervisor: the visible threads are a share of a host socket
 */
record CpuTopology(String modelName, List<Integer> packageNumbers, List<Integer> packageOfLogical,
                   boolean virtualMachine) {

    CpuTopology {
        packageNumbers = List.copyOf(packageNumbers);
        packageOfLogical = List.copyOf(packageOfLogical);
    }

    static CpuTopology of(CentralProcessor cpu) {
        List<CentralProcessor.LogicalProcessor> logical = cpu.getLogicalProcessors();
        TreeSet<Integer> packages = new TreeSet<>();
        logical.forEach(lp -> packages.add(lp.getPhysicalPackageNumber()));
        if (packages.isEmpty()) {
            packages.add(0);
        }
        List<Integer> numbers = new ArrayList<>(packages);
        List<Integer> of = new ArrayList<>();
        logical.forEach(lp -> of.add(numbers.indexOf(lp.getPhysicalPackageNumber())));
        boolean vm = cpu.getFeatureFlags().stream()
                .anyMatch(line -> List.of(line.toLowerCase(Locale.ROOT).split("[\\s:]+")).contains("hypervisor"));
        return new CpuTopology(cpu.getProcessorIdentifier().getName().trim(), numbers, of, vm);
    }

    int packages() {
        return packageNumbers.size();
    }

    /** Logical processors (hardware threads) this host sees in one package. */
    int threads(int packageIndex) {
        if (packageOfLogical.isEmpty()) {
            return 1;
        }
        return (int) packageOfLogical.stream().filter(p -> p == packageIndex).count();
    }
}
