package io.lem.runner.measure;

import io.lem.api.energy.MemoryReading;
import io.lem.api.event.MemorySample;
import io.lem.api.event.PowerSample;
import io.lem.runner.events.EventEmitter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The one daemon thread ({@value #THREAD_NAME}) that turns the sources' latest power and memory readings into
 * {@code PowerSample} and {@code MemorySample} events at the sampling interval. It reads what the sources already
 * hold (their own samplers do the hardware work) and emits only what they have: a source with nothing yields no
 * event. Fixed-rate, aiming at start + k × interval; after a stall longer than an interval it resumes from now
 * instead of catching up in a burst. When two sources report the same device key, the first (highest rank) wins,
 * as in {@link io.lem.api.energy.EnergyMonitor}.
 */
final class PowerSampler implements AutoCloseable {

    static final String THREAD_NAME = "lem-power-sampler";

    private static final Logger log = LoggerFactory.getLogger(PowerSampler.class);
    private static final long JOIN_MILLIS = 5_000;

    private final GuardedSource[] sources;
    private final long intervalNanos;
    private final EventEmitter emitter;
    private final Thread thread;
    private final Set<String> seenPower = new HashSet<>();
    private final Set<String> seenMemory = new HashSet<>();
    private final AtomicLong samples = new AtomicLong();
    private final AtomicBoolean emitFailed = new AtomicBoolean();
    private volatile boolean running = true;

    PowerSampler(List<GuardedSource> sources, Duration interval, EventEmitter emitter) {
        this.sources = sources.toArray(new GuardedSource[0]);
        this.intervalNanos = interval.toNanos();
        this.emitter = emitter;
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    /** PowerSample and MemorySample events emitted so far. */
    long samplesEmitted() {
        return samples.get();
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
            tick();
            long now = System.nanoTime();
            if (now - next > intervalNanos) {
                next = now;
            }
        }
    }

    /** One pass over every source; package-private so tests can drive it without the thread. */
    void tick() {
        seenPower.clear();
        seenMemory.clear();
        for (GuardedSource source : sources) {
            String plugin = source.pluginName();
            for (Map.Entry<String, Double> e : source.readPowerWatts().entrySet()) {
                String key = e.getKey();
                Double watts = e.getValue();
                if (key == null || watts == null || !(watts >= 0) || watts.isInfinite() || !seenPower.add(key)) {
                    continue; // nothing usable: no event, never a made-up 0
                }
                double w = watts;
                emit(() -> emitter.emit(env -> new PowerSample(env, key, w, plugin)));
            }
            for (Map.Entry<String, MemoryReading> e : source.readMemory().entrySet()) {
                String key = e.getKey();
                MemoryReading m = e.getValue();
                if (key == null || m == null || !seenMemory.add(key)) {
                    continue;
                }
                emit(() -> emitter.emit(env -> new MemorySample(env, key, m.usedBytes(), m.peakBytes(),
                        m.totalBytes())));
            }
        }
    }

    private void emit(Runnable emission) {
        try {
            emission.run();
            samples.incrementAndGet();
        } catch (RuntimeException e) {
            if (emitFailed.compareAndSet(false, true)) {
                log.warn("the power sampler cannot emit (further failures are logged at DEBUG): {}",
                        GuardedSource.describe(e), e);
            } else {
                log.debug("the power sampler cannot emit: {}", GuardedSource.describe(e));
            }
        }
    }

    /** Stops the thread and waits for it (a tick in progress finishes). Idempotent. */
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
            log.warn("the power sampler did not stop within {} ms (a plugin read is hanging); it is a daemon thread "
                    + "and will not keep the JVM alive", JOIN_MILLIS);
        }
    }
}
