package io.lem.plugins.cpumodel;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.EnergySource;
import io.lem.api.event.DeviceInfo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TDP × utilization per package, integrated on read: every {@link #readEnergy()} and {@link #readPowerWatts()}
 * samples the kernel's tick counters, so a window's edges are exact to the kernel's 10 ms tick; the runner's power
 * sampler reads power once a second ({@link #powerReadPeriod()}). No thread of its own: the counters give
 * the mean utilization between any two reads, so the integral is exact however far apart they are, and a second
 * thread waking every 100 ms would double the cost of sampling.
 */
final class CpuModelSource implements EnergySource {

    static final Duration MODEL_READ_PERIOD = Duration.ofSeconds(1);

    private final String pluginName;
    private final List<PackageModel> packages;
    private final List<DeviceInfo> devices;
    private final TdpIntegrator integrator;
    private final Duration samplingInterval;

    CpuModelSource(String pluginName, String modelName, List<PackageModel> packages, TdpIntegrator integrator,
                   Duration samplingInterval) {
        this.pluginName = pluginName;
        this.packages = List.copyOf(packages);
        this.devices = this.packages.stream().map(p -> new DeviceInfo(p.deviceKey(), "cpu", modelName, null, null))
                .toList();
        this.integrator = integrator;
        this.samplingInterval = samplingInterval;
    }

    @Override
    public String pluginName() {
        return pluginName;
    }

    @Override
    public List<DeviceInfo> devices() {
        return devices;
    }

    @Override
    public Map<String, EnergyCounter> readEnergy() {
        integrator.sample();
        double[] joules = integrator.joules();
        Map<String, EnergyCounter> result = new LinkedHashMap<>();
        for (int p = 0; p < packages.size(); p++) {
            PackageModel pkg = packages.get(p);
            result.put(pkg.deviceKey(), new EnergyCounter(pkg.deviceKey(), EnergyMethod.MODEL, joules[p],
                    joules[p] * pkg.tdp().match().relativeUncertainty()));
        }
        return result;
    }

    /** The sampling interval: power is resolved no finer than that. */
    @Override
    public Duration updatePeriod() {
        return samplingInterval;
    }

    /**
     * Once a second: the tick counters make the energy exact however seldom they are read, so reading them ten times
     * a second would only sharpen the modelled power series, at the cost of a cold wake-up each time.
     */
    @Override
    public Duration powerReadPeriod() {
        return MODEL_READ_PERIOD;
    }

    /** Modelled power since the previous read (of power or energy). */
    @Override
    public Map<String, Double> readPowerWatts() {
        integrator.sample();
        double[] watts = integrator.powerWatts();
        Map<String, Double> result = new LinkedHashMap<>();
        for (int p = 0; p < packages.size(); p++) {
            result.put(packages.get(p).deviceKey(), watts[p]);
        }
        return result;
    }

    /** Closes the counters' file; the source holds no thread. */
    @Override
    public void close() {
        integrator.close();
    }
}
