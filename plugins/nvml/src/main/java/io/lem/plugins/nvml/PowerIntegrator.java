package io.lem.plugins.nvml;

/**
 * Energy from power samples by the trapezoid rule over the actual sample times. Not thread-safe: its
 * {@link GpuMeter} guards it; allocates nothing.
 *
 * <p>Uncertainty: between two samples the power is unknown. If it stayed between the two readings, the true energy of
 * the interval lies in [min, max] × Δt, whose midpoint is the trapezoid, so the error is at most |ΔP| × Δt / 2. These
 * per-interval bounds are treated as independent and added in quadrature. Not included: the calibration of NVML's
 * power sensor (a scale error common to every reading of that GPU, NVIDIA quotes ±5% of draw), nor power spikes shorter
 * than the sampling interval that both neighbouring samples miss.
 */
final class PowerIntegrator {

    private long samples;
    private long firstNanos;
    private long lastNanos;
    private double lastWatts;
    private double joules;
    private double errorSquares;

    /** Adds a sample; {@code nanos} from {@link System#nanoTime()}, non-decreasing. */
    void add(long nanos, double watts) {
        if (samples > 0) {
            long dtNanos = nanos - lastNanos;
            if (dtNanos <= 0) {
                return; // same instant (clock granularity): the first reading stands
            }
            double dt = dtNanos * 1e-9;
            joules += 0.5 * (lastWatts + watts) * dt;
            double bound = 0.5 * Math.abs(watts - lastWatts) * dt;
            errorSquares += bound * bound;
        } else {
            firstNanos = nanos;
        }
        lastNanos = nanos;
        lastWatts = watts;
        samples++;
    }

    double joules() {
        return joules;
    }

    double uncertaintyJoules() {
        return Math.sqrt(errorSquares);
    }

    long samples() {
        return samples;
    }

    long firstNanos() {
        return firstNanos;
    }

    long lastNanos() {
        return lastNanos;
    }
}
