package io.lem.runner.measure;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.MemoryReading;
import io.lem.api.energy.Scope;
import io.lem.api.event.DeviceInfo;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An energy plugin whose readings the test scripts: cumulative counters, power and memory per device key, set and
 * removed at will. Its sources read the provider's current script.
 */
class ScriptedEnergy implements EnergySourceProvider {

    private final String name;
    private final Scope scope;
    private final int rank;
    private final List<DeviceInfo> devices;
    final Map<String, EnergyCounter> energy = new ConcurrentHashMap<>();
    final Map<String, Double> power = new ConcurrentHashMap<>();
    final Map<String, MemoryReading> memory = new ConcurrentHashMap<>();
    final AtomicInteger opens = new AtomicInteger();
    final List<Source> opened = new CopyOnWriteArrayList<>();
    volatile Availability availability = Availability.yes();
    volatile Exception openFailure;
    volatile Duration updatePeriod = Duration.ZERO;
    volatile Duration powerReadPeriod = Duration.ZERO;

    ScriptedEnergy(String name, Scope scope, int rank, String... deviceKeys) {
        this.name = name;
        this.scope = scope;
        this.rank = rank;
        this.devices = java.util.Arrays.stream(deviceKeys)
                .map(k -> new DeviceInfo(k, k.substring(0, k.indexOf(':')), "scripted " + k, null, null)).toList();
    }

    ScriptedEnergy counter(String key, EnergyMethod method, double joules, Double uncertainty) {
        energy.put(key, new EnergyCounter(key, method, joules, uncertainty));
        return this;
    }

    /** Adds joules to a device's counter, keeping its method and uncertainty. */
    void add(String key, double joules) {
        energy.computeIfPresent(key, (k, c) -> new EnergyCounter(k, c.method(), c.energyJoules() + joules,
                c.uncertaintyJoules()));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return "1.2.3-test";
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public Scope scope() {
        return scope;
    }

    @Override
    public Availability probe(PluginContext context) {
        return availability;
    }

    @Override
    public EnergySource open(PluginContext context) throws PluginException {
        opens.incrementAndGet();
        Exception failure = openFailure;
        if (failure instanceof PluginException) {
            throw (PluginException) failure;
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        Source source = new Source();
        opened.add(source);
        return source;
    }

    final class Source implements EnergySource {
        volatile boolean closed;

        @Override
        public String pluginName() {
            return name;
        }

        @Override
        public List<DeviceInfo> devices() {
            return devices;
        }

        @Override
        public Map<String, EnergyCounter> readEnergy() {
            return closed ? Map.of() : Map.copyOf(energy);
        }

        @Override
        public Duration updatePeriod() {
            return updatePeriod;
        }

        @Override
        public Duration powerReadPeriod() {
            return powerReadPeriod;
        }

        @Override
        public Map<String, Double> readPowerWatts() {
            return closed ? Map.of() : Map.copyOf(power);
        }

        @Override
        public Map<String, MemoryReading> readMemory() {
            return closed ? Map.of() : Map.copyOf(memory);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
