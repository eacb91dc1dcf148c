package io.lem.plugins.cpumodel;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.EnergySource;
import io.lem.api.event.DeviceInfo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * TDP × utilization per package. A daemon thread samples at the sampling interval (so that power readings are
 * fresh); every {@link #readEnergy()} also samples, so a window's edges are exact to the kernel's 10 ms tick.
 */
final class CpuModelSource implements EnergySource {

    private final String pluginName;
    private final List<PackageModel> packages;
    private final List<DeviceInfo> devices;
    private final TdpIntegrator integrator;
    private final Duration samplingInterval;
    private ScheduledExecutorService sampler;
    private boolean closed;

    CpuModelSource(String pluginName, String modelName, List<PackageModel> packages, TdpIntegrator integrator,
                   Duration samplingInterval) {
        this.pluginName = pluginName;
        this.packages = List.copyOf(packages);
        this.devices = this.packages.stream().map(p -> new DeviceInfo(p.deviceKey(), "cpu", modelName, null, null))
                .toList();
        this.integrator = integrator;
        this.samplingInterval = samplingInterval;
    }

    /** Starts sampling on a daemon thread. */
    synchronized void start() {
        if (closed || sampler != null) {
            return;
        }
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "lem-cpu-model-sampler");
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        long nanos = samplingInterval.toNanos();
        executor.scheduleAtFixedRate(integrator::sample, nanos, nanos, TimeUnit.NANOSECONDS);
        sampler = executor;
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

    /** Modelled power over the last sampled interval. */
    @Override
    public Map<String, Double> readPowerWatts() {
        double[] watts = integrator.powerWatts();
        Map<String, Double> result = new LinkedHashMap<>();
        for (int p = 0; p < packages.size(); p++) {
            result.put(packages.get(p).deviceKey(), watts[p]);
        }
        return result;
    }

    /** True once close() has stopped the sampler (or it never ran). */
    synchronized boolean samplerStopped() {
        return sampler == null || sampler.isTerminated();
    }

    @Override
    public void close() {
        ScheduledExecutorService toStop;
        synchronized (this) {
            closed = true;
            toStop = sampler;
        }
        if (toStop != null) {
            toStop.shutdownNow();
            try {
                toStop.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
