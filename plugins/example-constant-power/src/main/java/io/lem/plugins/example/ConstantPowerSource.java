package io.lem.plugins.example;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.MemoryReading;
import io.lem.api.event.DeviceInfo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The opened source: energy = watts × seconds since open. Immutable but for the closed flag, so safe from any
 * thread. After {@link #close()} the device can no longer be read and is absent from the readings (never 0).
 */
final class ConstantPowerSource implements EnergySource {

    private final String pluginName;
    private final String deviceKey;
    private final double watts;
    private final LongSupplier monoClock;
    private final long openedNanos;
    private volatile boolean closed;

    ConstantPowerSource(String pluginName, String deviceKey, double watts, LongSupplier monoClock) {
        this.pluginName = pluginName;
        this.deviceKey = deviceKey;
        this.watts = watts;
        this.monoClock = monoClock;
        this.openedNanos = monoClock.getAsLong();
    }

    @Override
    public String pluginName() {
        return pluginName;
    }

    @Override
    public List<DeviceInfo> devices() {
        return List.of(new DeviceInfo(deviceKey, "const", "constant " + watts + " W (example plugin)", null, null));
    }

    /** Cumulative since open, method {@code model}; the uncertainty of a made-up device is unknown (null). */
    @Override
    public Map<String, EnergyCounter> readEnergy() {
        if (closed) {
            return Map.of();
        }
        double seconds = Math.max(0L, monoClock.getAsLong() - openedNanos) / 1e9;
        return Map.of(deviceKey, new EnergyCounter(deviceKey, EnergyMethod.MODEL, watts * seconds, null));
    }

    /** The model is evaluated on each read, so its resolution is the monotonic clock's: no window is too short. */
    @Override
    public Duration updatePeriod() {
        return Duration.ofNanos(1);
    }

    /** Feeds {@code PowerSample} events. */
    @Override
    public Map<String, Double> readPowerWatts() {
        return closed ? Map.of() : Map.of(deviceKey, watts);
    }

    /** This device has no memory; the default would say the same. */
    @Override
    public Map<String, MemoryReading> readMemory() {
        return Map.of();
    }

    /** Nothing to release (no threads, no native handles); idempotent. */
    @Override
    public void close() {
        closed = true;
    }
}
