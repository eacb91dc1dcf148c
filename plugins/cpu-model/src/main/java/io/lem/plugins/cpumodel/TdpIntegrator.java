package io.lem.plugins.cpumodel;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Energy per package = TDP × utilization integrated over time.
 *
 * <p>Rectangle rule, and exactly so: tick counters give the <em>mean</em> utilization over each interval, so
 * {@code watts × mean × Δt} is the model's exact integral; a trapezoid would average two interval means and smear
 * load into the wrong interval. When the counters did not move (two samples inside one kernel tick, 10 ms), the
 * previous interval's utilization is held.
 */
final class TdpIntegrator {

    private final double[] watts;
    private final PackageUtilization utilization;
    private final LongSupplier monoClock;
    private final double[] joules;
    private final double[] lastUtilization;
    private long lastNanos;

    /** The clock's current value is time zero; {@code utilization} must already hold its own baseline. */
    TdpIntegrator(double[] watts, PackageUtilization utilization, LongSupplier monoClock) {
        this.watts = watts.clone();
        this.utilization = utilization;
        this.monoClock = monoClock;
        this.joules = new double[watts.length];
        this.lastUtilization = new double[watts.length];
        this.lastNanos = monoClock.getAsLong();
    }

    /** Integrates up to now. */
    synchronized void sample() {
        long now = monoClock.getAsLong();
        if (now <= lastNanos) {
            return; // no time passed: leave the counters' baseline where it is
        }
        double[] u = utilization.sinceLastCall();
        double seconds = (now - lastNanos) / 1e9;
        for (int p = 0; p < watts.length; p++) {
            if (!Double.isNaN(u[p])) {
                lastUtilization[p] = Math.max(0, Math.min(1, u[p]));
            }
            joules[p] += watts[p] * lastUtilization[p] * seconds;
        }
        lastNanos = now;
    }

    /** Joules per package since time zero, as of the last sample. */
    synchronized double[] joules() {
        return joules.clone();
    }

    /** Modelled power per package over the last sampled interval. */
    synchronized double[] powerWatts() {
        double[] power = new double[watts.length];
        Arrays.setAll(power, p -> watts[p] * lastUtilization[p]);
        return power;
    }

    /** Closes the utilization reader. */
    synchronized void close() {
        utilization.close();
    }
}
