package io.lem.runner.measure;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.MemoryReading;
import io.lem.api.event.DeviceInfo;
import io.lem.runner.plugins.DiscoveredPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An opened source as the measurement uses it: plugin code is not trusted to behave. A read that throws (or returns
 * null, or null entries) counts as "nothing measured" (absent, never 0), logged at WARN the first time per kind of
 * read and at DEBUG after. The plugin name is the registry's, so readings and {@code ProcessStarted} agree.
 */
final class GuardedSource implements EnergySource {

    private static final Logger log = LoggerFactory.getLogger(GuardedSource.class);

    private final DiscoveredPlugin plugin;
    private final EnergySource delegate;
    private final List<DeviceInfo> devices;
    private final Duration updatePeriod;
    private final Duration powerReadPeriod;
    private final AtomicBoolean energyFailed = new AtomicBoolean();
    private final AtomicBoolean powerFailed = new AtomicBoolean();
    private final AtomicBoolean memoryFailed = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    GuardedSource(DiscoveredPlugin plugin, EnergySource delegate) {
        this.plugin = plugin;
        this.delegate = delegate;
        this.devices = readDevices(plugin, delegate);
        this.updatePeriod = readUpdatePeriod(plugin, delegate);
        this.powerReadPeriod = readPowerReadPeriod(plugin, delegate);
    }

    private static List<DeviceInfo> readDevices(DiscoveredPlugin plugin, EnergySource source) {
        try {
            List<DeviceInfo> list = source.devices();
            return list == null ? List.of() : list.stream().filter(d -> d != null && d.key() != null).toList();
        } catch (RuntimeException | LinkageError e) {
            log.warn("energy plugin {}: devices() failed, listing no devices: {}", plugin.name(), describe(e));
            return List.of();
        }
    }

    private static Duration readUpdatePeriod(DiscoveredPlugin plugin, EnergySource source) {
        try {
            Duration period = source.updatePeriod();
            return period == null || period.isNegative() ? Duration.ZERO : period;
        } catch (RuntimeException | LinkageError e) {
            log.warn("energy plugin {}: updatePeriod() failed, assuming 0: {}", plugin.name(), describe(e));
            return Duration.ZERO;
        }
    }

    private static Duration readPowerReadPeriod(DiscoveredPlugin plugin, EnergySource source) {
        try {
            Duration period = source.powerReadPeriod();
            return period == null || period.isNegative() ? Duration.ZERO : period;
        } catch (RuntimeException | LinkageError e) {
            log.warn("energy plugin {}: powerReadPeriod() failed, reading it every sampling interval: {}",
                    plugin.name(), describe(e));
            return Duration.ZERO;
        }
    }

    DiscoveredPlugin plugin() {
        return plugin;
    }

    @Override
    public String pluginName() {
        return plugin.name();
    }

    @Override
    public List<DeviceInfo> devices() {
        return devices;
    }

    @Override
    public Map<String, EnergyCounter> readEnergy() {
        Map<String, EnergyCounter> energy;
        try {
            energy = delegate.readEnergy();
        } catch (RuntimeException | LinkageError e) {
            failed(energyFailed, "readEnergy", e);
            return Map.of();
        }
        if (energy == null) {
            return Map.of();
        }
        for (Map.Entry<String, EnergyCounter> e : energy.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                return withoutNulls(energy); // rare: copy only when needed
            }
        }
        return energy;
    }

    private static <V> Map<String, V> withoutNulls(Map<String, V> map) {
        Map<String, V> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k != null && v != null) {
                copy.put(k, v);
            }
        });
        return copy;
    }

    @Override
    public Duration updatePeriod() {
        return updatePeriod;
    }

    @Override
    public Duration powerReadPeriod() {
        return powerReadPeriod;
    }

    /** May contain null keys or values: the sampler skips them without copying the map. */
    @Override
    public Map<String, Double> readPowerWatts() {
        try {
            Map<String, Double> power = delegate.readPowerWatts();
            return power == null ? Map.of() : power;
        } catch (RuntimeException | LinkageError e) {
            failed(powerFailed, "readPowerWatts", e);
            return Map.of();
        }
    }

    /** May contain null keys or values: the sampler skips them without copying the map. */
    @Override
    public Map<String, MemoryReading> readMemory() {
        try {
            Map<String, MemoryReading> memory = delegate.readMemory();
            return memory == null ? Map.of() : memory;
        } catch (RuntimeException | LinkageError e) {
            failed(memoryFailed, "readMemory", e);
            return Map.of();
        }
    }

    private void failed(AtomicBoolean once, String what, Throwable e) {
        if (once.compareAndSet(false, true)) {
            log.warn("energy plugin {}: {} failed, its devices are absent from this reading (further failures are "
                    + "logged at DEBUG): {}", plugin.name(), what, describe(e), e);
        } else {
            log.debug("energy plugin {}: {} failed: {}", plugin.name(), what, describe(e));
        }
    }

    /** Closes the plugin's source with its class loader as the context loader; never throws. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(plugin.classLoader());
        try {
            delegate.close();
        } catch (RuntimeException | LinkageError e) {
            log.warn("energy plugin {}: closing its source failed: {}", plugin.name(), describe(e));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return oneLine(e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message));
    }

    static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
