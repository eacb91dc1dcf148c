package io.lem.plugins.nvml;

import io.lem.api.energy.EnergySource;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;

import java.util.ArrayList;
import java.util.List;

/**
 * NVIDIA GPUs through NVML. Nothing is loaded until {@link #probe} or {@link #open}; neither lets an NVML failure
 * escape other than as a reason or a {@link PluginException}.
 */
public final class NvmlProvider implements EnergySourceProvider {

    static final String NAME = "nvml";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public int rank() {
        return 100;
    }

    @Override
    public String description() {
        return "NVIDIA GPU energy (NVML total-energy counter, else integrated sampled power), power, memory and"
                + " utilization of the GPUs this process sees";
    }

    @Override
    public Scope scope() {
        return Scope.PROCESS;
    }

    /** Loads NVML, finds the visible GPUs and checks each can be measured, then lets NVML go. */
    @Override
    public Availability probe(PluginContext context) {
        try {
            NvmlSettings settings = NvmlSettings.from(context);
            Nvml nvml = Nvml.load(settings.library());
            nvml.init();
            try {
                GpuDiscovery.discover(nvml, cudaVisibleDevices(context), settings.forceSampling());
                return Availability.yes();
            } finally {
                nvml.shutdown();
            }
        } catch (PluginException e) {
            return Availability.no(e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return Availability.no("unexpected failure while probing NVML: " + e);
        }
    }

    @Override
    public EnergySource open(PluginContext context) throws PluginException {
        NvmlSettings settings = NvmlSettings.from(context);
        Nvml nvml = Nvml.load(settings.library());
        nvml.init();
        try {
            List<GpuMeter> meters = new ArrayList<>();
            for (DiscoveredGpu gpu : GpuDiscovery.discover(nvml, cudaVisibleDevices(context), settings.forceSampling())) {
                meters.add(new GpuMeter(nvml, gpu));
            }
            return new NvmlEnergySource(nvml, meters, context.samplingInterval());
        } catch (PluginException e) {
            nvml.shutdown();
            throw e;
        } catch (RuntimeException | LinkageError e) {
            nvml.shutdown();
            throw new PluginException("unexpected failure while opening NVML: " + e, e);
        }
    }

    /** Raw value: {@link PluginContext#env} would turn "set but empty" (no GPU) into "unset" (all GPUs). */
    private static String cudaVisibleDevices(PluginContext context) {
        return context.environment().get(VisibleDevices.VARIABLE);
    }
}
