package io.lem.plugins.nvml;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The daemon thread that reads every GPU at the sampling interval: power (integrated for sampled GPUs, latest for
 * {@code readPowerWatts}), the energy counter and memory. Fixed-rate: it aims at start + k × interval; after a stall
 * it resumes from now rather than catching up in a burst. A tick allocates nothing.
 */
final class Sampler implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Sampler.class.getName());
    private static final long JOIN_MILLIS = 5_000;

    private final GpuMeter[] meters;
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long ticks;

    Sampler(List<GpuMeter> meters, Duration interval) {
        this.meters = meters.toArray(new GpuMeter[0]);
        this.intervalNanos = interval.toNanos();
        this.thread = new Thread(this::run, "lem-nvml-sampler");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Completed ticks, for tests and diagnostics. */
    long ticks() {
        return ticks;
    }

    /** For tests: the sampling thread. */
    Thread thread() {
        return thread;
    }

    private void run() {
        long next = System.nanoTime();
        while (running) {
            next += intervalNanos;
            for (long wait = next - System.nanoTime(); running && wait > 0; wait = next - System.nanoTime()) {
                LockSupport.parkNanos(this, wait);
            }
            if (!running) {
                return;
            }
            for (GpuMeter meter : meters) {
                try {
                    meter.sample();
                } catch (RuntimeException | LinkageError e) {
                    // One bad GPU or an unexpected JNA error must not end sampling of the others.
                    LOG.log(System.Logger.Level.WARNING, "sampling " + meter.info().key() + " failed", e);
                }
            }
            ticks++; // single writer
            long now = System.nanoTime();
            if (now - next > intervalNanos) {
                next = now;
            }
        }
    }

    /** Stops the thread and waits for it. Idempotent. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread || !thread.isAlive()) {
            return;
        }
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(System.Logger.Level.WARNING, "the NVML sampler did not stop within " + JOIN_MILLIS
                    + " ms (an NVML call is hanging); it is a daemon thread and will not keep the JVM alive");
        }
    }
}
