package io.lem.api.energy;

import io.lem.api.event.DeviceInfo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An opened energy source. Readings are cumulative since {@link EnergySourceProvider#open}; measurement windows
 * ({@link EnergyMonitor}) take differences. A device the source cannot read right now is absent from the map —
 * never reported as 0. Implementations must be safe to call from several threads.
 */
public interface EnergySource extends AutoCloseable {

    /** Name of the plugin that opened this source. */
    String pluginName();

    /** Devices this source measures; their keys are the keys of {@link #readEnergy()}. */
    List<DeviceInfo> devices();

    /** Cumulative energy per device key. */
    Map<String, EnergyCounter> readEnergy();

    /**
     * The finest time resolution of the readings (the counter's update period, or the sampling interval). A window
     * shorter than this is flagged in its measurement.
     */
    Duration updatePeriod();

    /**
     * How often the runner's power sampler needs to read this source's power and memory, when that is less often
     * than the sampling interval; {@link Duration#ZERO} (the default) means every sampling interval. A source whose
     * power is a formula over cumulative counters (utilization ticks × TDP, a constant per GB) loses no energy by
     * being read less often, only resolution of its power series, and each read costs a wake-up with cold caches;
     * such a source may return a longer period (the built-in model sources return one second). Hardware readings
     * (NVML power, RAPL counters) keep the default: the interval is what they are sampled for.
     */
    default Duration powerReadPeriod() {
        return Duration.ZERO;
    }

    /** Instantaneous power per device key, for {@code PowerSample} events; empty when the source has none. */
    default Map<String, Double> readPowerWatts() {
        return Map.of();
    }

    /** Memory per device key, for {@code MemorySample} events; empty when the source has none. */
    default Map<String, MemoryReading> readMemory() {
        return Map.of();
    }

    /** Stops sampling threads and releases native handles. Idempotent. */
    @Override
    void close();
}
