package io.lem.plugins.cpumodel;

import oshi.PlatformEnum;
import oshi.SystemInfo;
import oshi.driver.linux.proc.CpuStat;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Utilization from the kernel's CPU time counters (/proc/stat on Linux) through OSHI: busy ticks (user, nice,
 * system, irq, softirq) over all ticks between two calls. Idle, iowait and steal are not busy: steal is time the
 * hypervisor gave to someone else. One package reads the system line only; several read every processor's line
 * and group by package. One call is one small file read and parse (tens of microseconds).
 *
 * <p>On Linux the counters come from OSHI's /proc/stat driver directly: {@link CentralProcessor}'s tick methods are
 * memoized for 300 ms ({@code oshi.util.memoizer.expiration}, a JVM-wide setting lem leaves alone), which would
 * make 100 ms samples repeat themselves and shift window edges. Elsewhere the memoized API is used.
 */
final class OshiPackageUtilization implements PackageUtilization {

    private static final TickType[] BUSY = {TickType.USER, TickType.NICE, TickType.SYSTEM, TickType.IRQ,
            TickType.SOFTIRQ};

    private final CpuTopology topology;
    private final Supplier<long[][]> ticks;
    private long[][] previous;

    OshiPackageUtilization(CentralProcessor cpu, CpuTopology topology) {
        this.topology = topology;
        this.ticks = ticks(cpu, topology);
        this.previous = ticks.get();
    }

    @Override
    public synchronized double[] sinceLastCall() {
        long[][] now = ticks.get();
        int packages = topology.packages();
        double[] busy = new double[packages];
        double[] total = new double[packages];
        for (int i = 0; i < now.length && i < previous.length; i++) {
            int p = packages == 1 ? 0 : topology.packageOfLogical().get(Math.min(i, topology.packageOfLogical().size() - 1));
            for (TickType t : TickType.values()) {
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

    private static Supplier<long[][]> ticks(CentralProcessor cpu, CpuTopology topology) {
        boolean linux = SystemInfo.getCurrentPlatform() == PlatformEnum.LINUX;
        if (topology.packages() == 1) {
            return linux ? () -> new long[][]{CpuStat.getSystemCpuLoadTicks()}
                    : () -> new long[][]{cpu.getSystemCpuLoadTicks()};
        }
        int logical = topology.packageOfLogical().size();
        return linux ? () -> CpuStat.getProcessorCpuLoadTicks(logical) : cpu::getProcessorCpuLoadTicks;
    }
}
