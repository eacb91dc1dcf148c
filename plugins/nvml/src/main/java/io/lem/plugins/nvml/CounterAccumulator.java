package io.lem.plugins.nvml;

/**
 * Energy since open from NVML's total-energy counter (millijoules since the driver loaded). Not thread-safe: its
 * {@link GpuMeter} guards it.
 *
 * <p>The counter only goes backwards when the driver was reloaded or the GPU reset (it restarts from 0) or, rarely,
 * when it glitches. Either way the total keeps its last good value and counting resumes from the new raw value. We do
 * not add the new raw value itself: after a true reload it would be the energy since the reload, but after a glitch it
 * could be anything, and over-counting is worse than losing the energy between our last read and the reset — at most
 * one sampling interval, because the sampler reads the counter every interval.
 */
final class CounterAccumulator {

    private long lastRaw;
    private long totalMillijoules;
    private int resets;

    CounterAccumulator(long baselineRaw) {
        this.lastRaw = baselineRaw;
    }

    /** Takes a new raw reading (unsigned long long in C). */
    void update(long raw) {
        if (Long.compareUnsigned(raw, lastRaw) >= 0) {
            totalMillijoules += raw - lastRaw;
        } else {
            resets++;
        }
        lastRaw = raw;
    }

    double joules() {
        return totalMillijoules / 1000.0;
    }

    /** How many times the counter went backwards. */
    int resets() {
        return resets;
    }
}
