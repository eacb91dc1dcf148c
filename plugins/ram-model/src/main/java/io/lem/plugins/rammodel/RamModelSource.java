package io.lem.plugins.rammodel;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.EnergySource;
import io.lem.api.event.DeviceInfo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Energy = constant watts × time since open. Computed when read: no thread, nothing to sample, so the resolution
 * is the clock's and any window is long enough.
 */
final class RamModelSource implements EnergySource {

    private final String pluginName;
    private final String deviceKey;
    private final RamPowerModel model;
    private final LongSupplier monoClock;
    private final long openNanos;
    private final List<DeviceInfo> devices;

    RamModelSource(String pluginName, String host, RamPowerModel model, LongSupplier monoClock) {
        this.pluginName = pluginName;
        this.deviceKey = "ram-model:" + host;
        this.model = model;
        this.monoClock = monoClock;
        this.openNanos = monoClock.getAsLong();
        this.devices = List.of(new DeviceInfo(deviceKey, "dram", "RAM model: " + model.describe(), null,
                model.totalBytes()));
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
        double seconds = Math.max(0, monoClock.getAsLong() - openNanos) / 1e9;
        double joules = model.watts() * seconds;
        return Map.of(deviceKey, new EnergyCounter(deviceKey, EnergyMethod.MODEL, joules,
                joules * RamPowerModel.RELATIVE_UNCERTAINTY));
    }

    @Override
    public Duration updatePeriod() {
        return Duration.ZERO;
    }

    /** Once a second: the modelled power is a constant, read often it tells nothing new. */
    @Override
    public Duration powerReadPeriod() {
        return Duration.ofSeconds(1);
    }

    @Override
    public Map<String, Double> readPowerWatts() {
        return Map.of(deviceKey, model.watts());
    }

    /** Nothing to release. */
    @Override
    public void close() {
    }
}
