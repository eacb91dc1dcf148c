package io.lem.plugins.cpumodel;

import io.lem.api.energy.EnergySource;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** CPU energy modelled as TDP × utilization (OSHI), standing in for {@code rapl} where it is unavailable. */
public final class CpuModelProvider implements EnergySourceProvider {

    static final String NAME = "cpu-model";
    static final String VERSION = "0.1.0";
    private static final System.Logger LOG = System.getLogger(CpuModelProvider.class.getName());

    private volatile CentralProcessor processor;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public int rank() {
        return 10;
    }

    @Override
    public String description() {
        return "CPU energy modelled as TDP x utilization (OSHI); a fallback where RAPL is unavailable";
    }

    @Override
    public Scope scope() {
        return Scope.HOST;
    }

    @Override
    public String fallbackFor() {
        return "rapl";
    }

    @Override
    public Availability probe(PluginContext context) {
        try {
            CpuModelSettings.from(context);
            long ticks = Arrays.stream(processor().getSystemCpuLoadTicks()).sum();
            return ticks > 0 ? Availability.yes()
                    : Availability.no("OSHI reports no CPU time counters on this system (no /proc/stat?)");
        } catch (IllegalArgumentException e) {
            return Availability.no(e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("OSHI cannot read this system's CPU: " + e);
        }
    }

    @Override
    public EnergySource open(PluginContext context) throws PluginException {
        try {
            CpuModelSettings settings = CpuModelSettings.from(context);
            CentralProcessor cpu = processor();
            CpuTopology topology = CpuTopology.of(cpu);
            List<PackageModel> packages = PackageModel.of(topology, settings, TdpTable.load(), context.host());
            LOG.log(System.Logger.Level.INFO, () -> "cpu-model: " + topology.modelName() + ", "
                    + packages.stream().map(p -> p.deviceKey() + " " + p.watts() + " W (" + p.tdp().detail() + ")")
                    .collect(Collectors.joining("; ")) + (topology.virtualMachine() ? "; virtual machine" : ""));
            double[] watts = packages.stream().mapToDouble(PackageModel::watts).toArray();
            TdpIntegrator integrator = new TdpIntegrator(watts, new OshiPackageUtilization(cpu, topology),
                    System::nanoTime);
            return new CpuModelSource(NAME, topology.modelName(), packages, integrator, context.samplingInterval());
        } catch (IllegalArgumentException e) {
            throw new PluginException(e.getMessage(), e);
        } catch (RuntimeException | LinkageError e) {
            throw new PluginException("cpu-model cannot start: " + e, e);
        }
    }

    /** OSHI's processor, created once: its first query reads /proc/cpuinfo and sysfs topology. */
    private CentralProcessor processor() {
        CentralProcessor cpu = processor;
        if (cpu == null) {
            cpu = new SystemInfo().getHardware().getProcessor();
            processor = cpu;
        }
        return cpu;
    }
}
