package io.lem.plugins.cpumodel;

import oshi.PlatformEnum;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Utilization from the kernel's CPU time counters: busy ticks (user, nice, system, irq, softirq) over all ticks
 * between two calls. Idle, iowait and steal are not busy: steal is time the hypervisor gave to someone else. One
 * package reads the system line only; several read every processor's line and group by package.
 *
 * <p>On Linux the counters come from {@code /proc/stat} through {@link ProcStatTicks} (one pread and a parse, tens of
 * microseconds); OSHI's {@link CentralProcessor} tick methods are both slower on this path and memoized for 300 ms
 * ({@code oshi.util.memoizer.expiration}, a JVM-wide setting lem leaves alone), which would make 100 ms samples
 * repeat themselves and shift window edges. Elsewhere the memoized OSHI API is used.
 */
final class OshiPackageUtilization implements PackageUtilization {

    static final Path PROC_STAT = Path.of("/proc/stat");

    private static final TickType[] ALL = TickType.values();
    private static final TickType[] BUSY = {TickType.USER, TickType.NICE, TickType.SYSTEM, TickType.IRQ,
            TickType.SOFTIRQ};

    private final CpuTopology topology;
    private final int[] packageOfLogical;
    private final ProcStatTicks procStat;
    private final Supplier<long[][]> ticks;
    private long[][] previous;

    OshiPackageUtilization(CentralProcessor cpu, CpuTopology topology) {
        this(cpu, topology, SystemInfo.getCurrentPlatform() == PlatformEnum.LINUX ? PROC_STAT : null);
    }

    /** @param procStat the kernel's counters file, or null to read through OSHI */
    OshiPackageUtilization(CentralProcessor cpu, CpuTopology topology, Path procStat) {
        this.topology = topology;
        this.packageOfLogical = topology.packageOfLogical().stream().mapToInt(Integer::intValue).toArray();
        this.procStat = open(procStat);
        this.ticks = ticks(cpu, topology, this.procStat);
        this.previous = ticks.get();
    }

    private static ProcStatTicks open(Path procStat) {
        if (procStat == null) {
            return null;
        }
        try {
            return new ProcStatTicks(procStat);
        } catch (IOException e) {
            throw new IllegalArgumentException("cpu-model cannot read " + procStat + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized double[] sinceLastCall() {
        long[][] now = ticks.get();
        int packages = topology.packages();
        double[] busy = new double[packages];
        double[] total = new double[packages];
        for (int i = 0; i < now.length && i < previous.length; i++) {
            int p = packages == 1 ? 0 : packageOfLogical[Math.min(i, packageOfLogical.length - 1)];
            for (TickType t : ALL) {
                total[p] += Math.max(0, now[i][t.getIndex()] - previous[i][t.getIndex()]);
            }
            for (TickType t : BUSY) {
                busy[p] += Math.max(0, now[i][t.getIndex()] - previous[i][t.getIndex()]);
            }
        }
        previous = now;
        double[] fraction = new double[packages];
        Arrays.setAll(fraction, p -> total[p] > 0 ? Math.min(1, busy[p] / total[p]) : Double.NaN);
        return fraction;
    }

    private static Supplier<long[][]> ticks(CentralProcessor cpu, CpuTopology topology, ProcStatTicks procStat) {
        if (topology.packages() == 1) {
            return procStat != null ? procStat::system : () -> new long[][]{cpu.getSystemCpuLoadTicks()};
        }
        int logical = topology.packageOfLogical().size();
        return procStat != null ? () -> procStat.perProcessor(logical) : cpu::getProcessorCpuLoadTicks;
    }

    @Override
    public synchronized void close() {
        if (procStat != null) {
            procStat.close();
        }
    }
}
