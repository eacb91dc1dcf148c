package io.lem.plugins.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.MemoryReading;
import io.lem.api.event.DeviceInfo;

import java.time.Duration;

/**
 * One GPU's readings: its energy counter or power integral, latest power, memory and peak. Called by the sampler thread
 * and by readers; every NVML call goes through one lock per GPU so the native out-buffers, allocated once, can be
 * reused: a sample allocates nothing. A failed read leaves the value out (absent, never 0) and is logged once per
 * change of error.
 */
final class GpuMeter {

    /**
     * How stale a counter reading may be. NVML does not document the refresh rate; recent GPUs update the counter every
     * 20–100 ms, so 100 ms is the conservative figure.
     */
    static final Duration COUNTER_UPDATE_PERIOD = Duration.ofMillis(100);
    private static final double COUNTER_RESOLUTION_JOULES = 0.001;
    private static final System.Logger LOG = System.getLogger(GpuMeter.class.getName());

    private final Nvml nvml;
    private final Pointer handle;
    private final DeviceInfo info;
    private final String key;
    private final EnergyMethod method;
    private final boolean powerReadable;
    private final IntByReference milliwatts = new IntByReference();
    private final LongByReference millijoules = new LongByReference();
    private final Memory memoryInfo = new Memory(NvmlLibrary.MEMORY_STRUCT_SIZE);
    private final Memory utilizationRates = new Memory(NvmlLibrary.UTILIZATION_STRUCT_SIZE);
    private final CounterAccumulator counter;
    private final PowerIntegrator integrator;

    private double latestWatts = Double.NaN;
    private long usedBytes = -1;
    private long peakBytes = -1;
    // Last return code per call, so a failure is logged when it starts or changes, not every tick.
    private int powerStatus = Nvml.SUCCESS;
    private int counterStatus = Nvml.SUCCESS;
    private int memoryStatus = Nvml.SUCCESS;
    private int utilizationStatus = Nvml.SUCCESS;

    /** Takes the baseline: the counter value, or the first power sample. */
    GpuMeter(Nvml nvml, DiscoveredGpu gpu) throws NvmlException {
        this.nvml = nvml;
        this.handle = gpu.handle();
        this.info = gpu.info();
        this.key = info.key();
        this.method = gpu.method();
        this.powerReadable = gpu.powerReadable();
        synchronized (this) {
            if (method == EnergyMethod.COUNTER) {
                int rc = nvml.totalEnergy(handle, millijoules);
                if (rc != Nvml.SUCCESS) {
                    throw nvml.error(subject(), "nvmlDeviceGetTotalEnergyConsumption", rc);
                }
                counter = new CounterAccumulator(millijoules.getValue());
                integrator = null;
            } else {
                counter = null;
                integrator = new PowerIntegrator();
            }
            if (powerReadable && !samplePower() && integrator != null) {
                throw nvml.error(subject(), "nvmlDeviceGetPowerUsage", powerStatus);
            }
            sampleMemory();
        }
    }

    DeviceInfo info() {
        return info;
    }

    EnergyMethod method() {
        return method;
    }

    /** One sampler tick: power (integrated when sampled), the counter (so a reset loses little), memory. */
    synchronized void sample() {
        if (powerReadable) {
            samplePower();
        }
        if (counter != null) {
            sampleCounter();
        }
        sampleMemory();
    }

    /** Cumulative energy since open, read now; null when the GPU cannot be read right now. */
    synchronized EnergyCounter energy() {
        if (counter != null) {
            if (!sampleCounter()) {
                return null;
            }
            // The counter may lag the truth by one update period at the current draw.
            Double uncertainty = Double.isNaN(latestWatts) ? null
                    : latestWatts * COUNTER_UPDATE_PERIOD.toNanos() * 1e-9 + COUNTER_RESOLUTION_JOULES;
            return new EnergyCounter(key, EnergyMethod.COUNTER, counter.joules(), uncertainty);
        }
        // A fresh sample closes the integral at the time of the read, not at the last tick.
        if (!samplePower()) {
            return null;
        }
        return new EnergyCounter(key, EnergyMethod.SAMPLED_POWER, integrator.joules(), integrator.uncertaintyJoules());
    }

    /** Latest power in watts, NaN when none. */
    synchronized double powerWatts() {
        return latestWatts;
    }

    /** Used now and the peak seen since open; null before the first successful read. */
    synchronized MemoryReading memory() {
        return usedBytes < 0 ? null : new MemoryReading(key, usedBytes, peakBytes, info.memoryTotalBytes());
    }

    /** Read now; null when NVML cannot tell. */
    synchronized GpuUtilization utilization() {
        int rc = nvml.utilization(handle, utilizationRates);
        utilizationStatus = status("nvmlDeviceGetUtilizationRates", utilizationStatus, rc);
        if (rc != Nvml.SUCCESS) {
            return null;
        }
        return new GpuUtilization(key, utilizationRates.getInt(0), utilizationRates.getInt(4));
    }

    /** For tests: the integrator of a sampled GPU, null for a counter GPU. Read it under this meter's lock. */
    PowerIntegrator integrator() {
        return integrator;
    }

    /** For tests: the counter of a counter GPU, null for a sampled GPU. Read it under this meter's lock. */
    CounterAccumulator counter() {
        return counter;
    }

    private boolean samplePower() {
        long before = System.nanoTime();
        int rc = nvml.powerUsage(handle, milliwatts);
        long after = System.nanoTime();
        powerStatus = status("nvmlDeviceGetPowerUsage", powerStatus, rc);
        if (rc != Nvml.SUCCESS) {
            return false;
        }
        latestWatts = Integer.toUnsignedLong(milliwatts.getValue()) / 1000.0;
        if (integrator != null) {
            // NVML reads the sensor somewhere inside the call: the midpoint is the best guess of when.
            integrator.add(before + (after - before) / 2, latestWatts);
        }
        return true;
    }

    private boolean sampleCounter() {
        int rc = nvml.totalEnergy(handle, millijoules);
        counterStatus = status("nvmlDeviceGetTotalEnergyConsumption", counterStatus, rc);
        if (rc != Nvml.SUCCESS) {
            return false;
        }
        counter.update(millijoules.getValue());
        return true;
    }

    private void sampleMemory() {
        int rc = nvml.memoryInfo(handle, memoryInfo);
        memoryStatus = status("nvmlDeviceGetMemoryInfo", memoryStatus, rc);
        if (rc != Nvml.SUCCESS) {
            return;
        }
        usedBytes = memoryInfo.getLong(16); // nvmlMemory_t: total, free, used
        if (usedBytes > peakBytes) {
            peakBytes = usedBytes;
        }
    }

    private int status(String function, int previous, int rc) {
        if (rc != previous) {
            if (rc == Nvml.SUCCESS) {
                LOG.log(System.Logger.Level.INFO, () -> subject() + ": " + function + " works again");
            } else {
                LOG.log(System.Logger.Level.WARNING, () -> nvml.describe(subject(), function, rc));
            }
        }
        return rc;
    }

    private String subject() {
        return key;
    }
}
