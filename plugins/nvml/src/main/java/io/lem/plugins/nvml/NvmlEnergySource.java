package io.lem.plugins.nvml;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.MemoryReading;
import io.lem.api.event.DeviceInfo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The GPUs of this process, opened: energy per {@code gpu:<uuid>} by counter or sampled power (per GPU), latest power,
 * memory with peak, and utilization through {@link #readUtilization()}. Thread-safe. After {@link #close()} every read
 * returns an empty map.
 */
public final class NvmlEnergySource implements EnergySource {

    private final Nvml nvml;
    private final List<GpuMeter> meters;
    private final List<DeviceInfo> devices;
    private final Duration updatePeriod;
    private final Sampler sampler;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Takes over {@code nvml} (one successful init) and starts sampling. */
    NvmlEnergySource(Nvml nvml, List<GpuMeter> meters, Duration samplingInterval) {
        this.nvml = nvml;
        this.meters = List.copyOf(meters);
        this.devices = this.meters.stream().map(GpuMeter::info).toList();
        this.updatePeriod = updatePeriod(this.meters, samplingInterval);
        this.sampler = new Sampler(this.meters, samplingInterval);
        sampler.start();
    }

    /** The coarsest resolution among the GPUs: the counter's update period, or the sampling interval. */
    private static Duration updatePeriod(List<GpuMeter> meters, Duration samplingInterval) {
        Duration period = Duration.ZERO;
        for (GpuMeter meter : meters) {
            Duration own = meter.method() == EnergyMethod.COUNTER ? GpuMeter.COUNTER_UPDATE_PERIOD : samplingInterval;
            if (own.compareTo(period) > 0) {
                period = own;
            }
        }
        return period;
    }

    @Override
    public String pluginName() {
        return NvmlProvider.NAME;
    }

    @Override
    public List<DeviceInfo> devices() {
        return devices;
    }

    @Override
    public Map<String, EnergyCounter> readEnergy() {
        Map<String, EnergyCounter> readings = new LinkedHashMap<>();
        if (closed.get()) {
            return readings;
        }
        for (GpuMeter meter : meters) {
            EnergyCounter counter = meter.energy();
            if (counter != null) {
                readings.put(counter.deviceKey(), counter);
            }
        }
        return readings;
    }

    @Override
    public Duration updatePeriod() {
        return updatePeriod;
    }

    /** The latest power the sampler read, per GPU; a GPU without power readings is absent. */
    @Override
    public Map<String, Double> readPowerWatts() {
        Map<String, Double> power = new LinkedHashMap<>();
        if (closed.get()) {
            return power;
        }
        for (GpuMeter meter : meters) {
            double watts = meter.powerWatts();
            if (!Double.isNaN(watts)) {
                power.put(meter.info().key(), watts);
            }
        }
        return power;
    }

    /** Memory used at the latest sample, and the peak the sampler has seen since open. */
    @Override
    public Map<String, MemoryReading> readMemory() {
        Map<String, MemoryReading> memory = new LinkedHashMap<>();
        if (closed.get()) {
            return memory;
        }
        for (GpuMeter meter : meters) {
            MemoryReading reading = meter.memory();
            if (reading != null) {
                memory.put(reading.deviceKey(), reading);
            }
        }
        return memory;
    }

    /** GPU and memory utilization per GPU, read now (not sampled); a GPU NVML cannot tell about is absent. */
    public Map<String, GpuUtilization> readUtilization() {
        Map<String, GpuUtilization> utilization = new LinkedHashMap<>();
        if (closed.get()) {
            return utilization;
        }
        for (GpuMeter meter : meters) {
            GpuUtilization reading = meter.utilization();
            if (reading != null) {
                utilization.put(reading.deviceKey(), reading);
            }
        }
        return utilization;
    }

    /** How each GPU is measured. */
    public Map<String, EnergyMethod> methods() {
        Map<String, EnergyMethod> methods = new LinkedHashMap<>();
        meters.forEach(m -> methods.put(m.info().key(), m.method()));
        return methods;
    }

    /** Stops the sampler, then releases NVML. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            sampler.close();
            nvml.shutdown();
        }
    }

    Sampler sampler() {
        return sampler;
    }

    GpuMeter meter(String key) {
        for (GpuMeter meter : meters) {
            if (meter.info().key().equals(key)) {
                return meter;
            }
        }
        throw new IllegalArgumentException("no GPU " + key);
    }
}
