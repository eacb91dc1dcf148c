package io.lem.runner.measure;

import io.lem.api.energy.MemoryReading;
import io.lem.api.event.Envelope;
import io.lem.api.event.EpochClock;
import io.lem.api.event.LemEvent;
import io.lem.api.event.MemorySample;
import io.lem.api.event.PowerSample;
import io.lem.runner.events.EventEmitter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The one daemon thread ({@value #THREAD_NAME}) that turns the sources' latest power and memory readings into
 * {@code PowerSample} and {@code MemorySample} events at the sampling interval. It reads what the sources already
 * hold (their own samplers do the hardware work) and emits only what they have: a source with nothing yields no
 * event. Fixed-rate, aiming at start + k × interval; after a stall longer than an interval it resumes from now
 * instead of catching up in a burst. When two sources report the same device key, the first (highest rank) wins (its
 * latest read decides, also when the two are read at different periods),
 * as in {@link io.lem.api.energy.EnergyMonitor}.
 *
 * <p>Readings are taken every interval but sent in bursts, at most every {@link #EMIT_PERIOD} (and on close), each
 * event stamped with the instant of its reading. Why: on the development VM encoding and writing one event costs
 * ~4 µs when its code is hot but 100–400 µs when it runs once per 100 ms with cold caches, which alone broke the
 * 0.5%-of-a-core budget; ten ticks' events sent back to back pay that once. Power samples only feed peak power and
 * live progress (energy comes from counters), so a second's delay loses nothing; {@link #close()} sends the rest
 * before the process's terminal event.
 *
 * <p>A source is read every {@code max(interval, source.powerReadPeriod())}, rounded to whole ticks, and the thread
 * wakes at the shortest of these periods: with only model sources (cpu-model, ram-model: formulas over counters, no
 * information lost by reading them less often) it wakes once a second, not ten times. Each wake-up on a busy host
 * finds the sampler's code and data evicted; that, not the reads themselves, was most of the sampling cost.
 */
final class PowerSampler implements AutoCloseable {

    static final String THREAD_NAME = "lem-power-sampler";

    /** Longest time a reading waits before it is sent. */
    static final Duration EMIT_PERIOD = Duration.ofSeconds(1);

    /** Shortest time between two reads of the process's own memory. */
    static final Duration MEMORY_PERIOD = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(PowerSampler.class);
    private static final long JOIN_MILLIS = 5_000;

    private final GuardedSource[] sources;
    /**
     * Read with a burst at most every {@link #MEMORY_PERIOD}, and with the last one (the kernel keeps the peak, so
     * nothing is missed between reads; a read of {@code /proc/self/status} costs 50-400 µs): null when not sampled.
     */
    private final ProcessMemory processMemory;
    private long lastMemoryNanos;
    /** Read source i on every {@code everyTicks[i]}-th tick. */
    private final int[] everyTicks;
    private long ticks;
    private final long intervalNanos;
    private final long emitPeriodNanos;
    private final EventEmitter emitter;
    private final List<Reading> pending = new ArrayList<>();
    private final ConcurrentHashMap<String, Double> latestWatts = new ConcurrentHashMap<>();
    /**
     * {@link #latestWatts} as of the last pass, sorted and unmodifiable: the generation thread reads it after every
     * batch for progress, and a volatile read costs it nothing, where a copy under a lock cost ~30 µs with cold caches.
     */
    private volatile Map<String, Double> latestSnapshot = Map.of();
    private long lastEmitNanos;
    private final Thread thread;
    /** Device keys of each source's latest read, so that a key read by two sources is sent once (rank wins). */
    private final Set<String>[] powerKeys;
    private final Set<String>[] memoryKeys;
    private final AtomicLong samples = new AtomicLong();
    private final AtomicBoolean emitFailed = new AtomicBoolean();
    private volatile boolean running = true;

    PowerSampler(List<GuardedSource> sources, Duration interval, EventEmitter emitter) {
        this(sources, interval, emitter, null);
    }

    PowerSampler(List<GuardedSource> sources, Duration interval, EventEmitter emitter, ProcessMemory processMemory) {
        this.sources = sources.toArray(new GuardedSource[0]);
        this.processMemory = processMemory;
        this.lastMemoryNanos = System.nanoTime() - MEMORY_PERIOD.toNanos(); // the first send reads it
        long[] periods = new long[this.sources.length];
        long tick = Long.MAX_VALUE;
        for (int i = 0; i < periods.length; i++) {
            periods[i] = Math.max(interval.toNanos(), this.sources[i].powerReadPeriod().toNanos());
            tick = Math.min(tick, periods[i]);
        }
        // with no source (only the process's memory) nothing needs reading between two of its reads
        this.intervalNanos = periods.length == 0 ? Math.max(interval.toNanos(), MEMORY_PERIOD.toNanos()) : tick;
        this.powerKeys = keySets(periods.length);
        this.memoryKeys = keySets(periods.length);
        this.everyTicks = new int[periods.length];
        for (int i = 0; i < periods.length; i++) {
            everyTicks[i] = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round((double) periods[i] / tick)));
        }
        this.emitPeriodNanos = Math.max(intervalNanos, EMIT_PERIOD.toNanos());
        this.emitter = emitter;
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
    }

    @SuppressWarnings("unchecked")
    private static Set<String>[] keySets(int n) {
        Set<String>[] sets = new Set[n];
        for (int i = 0; i < n; i++) {
            sets[i] = new HashSet<>();
        }
        return sets;
    }

    void start() {
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    /** The latest power read per device key (read, not necessarily sent yet); empty before the first tick. */
    Map<String, Double> latestPowerWatts() {
        return latestSnapshot;
    }

    /** PowerSample and MemorySample events emitted so far. */
    long samplesEmitted() {
        return samples.get();
    }

    private void run() {
        long next = System.nanoTime();
        lastEmitNanos = next;
        try {
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
        } finally {
            flush(); // what was read before close() is still sent, before the process's terminal event
        }
    }

    /** The thread's wake-up period: the shortest of the sources' read periods. */
    Duration tickPeriod() {
        return Duration.ofNanos(intervalNanos);
    }

    /** One reading of every source due on this tick, and a send of the pending readings when they are due. */
    void tick() {
        read();
        if (System.nanoTime() - lastEmitNanos >= emitPeriodNanos) {
            flush();
        }
    }

    /**
     * One pass over the sources due on this tick (every source on the first); the readings wait in {@link #pending}
     * with the instant they were taken.
     */
    void read() {
        long epochNanos = EpochClock.nowEpochNanos();
        long monoNanos = System.nanoTime();
        long tick = ticks++;
        for (int i = 0; i < sources.length; i++) {
            GuardedSource source = sources[i];
            if (tick % everyTicks[i] != 0) {
                continue;
            }
            String plugin = source.pluginName();
            powerKeys[i].clear();
            memoryKeys[i].clear();
            for (Map.Entry<String, Double> e : source.readPowerWatts().entrySet()) {
                String key = e.getKey();
                Double watts = e.getValue();
                if (key == null || watts == null || !(watts >= 0) || watts.isInfinite()
                        || reportedEarlier(powerKeys, i, key) || !powerKeys[i].add(key)) {
                    continue; // nothing usable: no event, never a made-up 0
                }
                double w = watts;
                latestWatts.put(key, w);
                pending.add(new Reading(epochNanos, monoNanos, env -> new PowerSample(env, key, w, plugin)));
            }
            for (Map.Entry<String, MemoryReading> e : source.readMemory().entrySet()) {
                String key = e.getKey();
                MemoryReading m = e.getValue();
                if (key == null || m == null || reportedEarlier(memoryKeys, i, key) || !memoryKeys[i].add(key)) {
                    continue;
                }
                pending.add(new Reading(epochNanos, monoNanos, env -> new MemorySample(env, key, m.usedBytes(),
                        m.peakBytes(), m.totalBytes())));
            }
        }
        latestSnapshot = Collections.unmodifiableMap(new TreeMap<>(latestWatts));
    }

    /** Whether a source before {@code i} (higher rank) had {@code key} in its latest read: then it wins the key. */
    private static boolean reportedEarlier(Set<String>[] keys, int i, String key) {
        for (int j = 0; j < i; j++) {
            if (keys[j].contains(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends every pending reading, in the order they were read; with the process's memory as it is now when that is
     * due, and always on the last send.
     */
    void flush() {
        lastEmitNanos = System.nanoTime();
        if (processMemory != null && (!running || lastEmitNanos - lastMemoryNanos >= MEMORY_PERIOD.toNanos())) {
            lastMemoryNanos = lastEmitNanos;
            long epochNanos = EpochClock.nowEpochNanos();
            processMemory.read().ifPresent(m -> pending.add(new Reading(epochNanos, lastMemoryNanos,
                    env -> new MemorySample(env, m.deviceKey(), m.usedBytes(), m.peakBytes(), m.totalBytes()))));
        }
        for (Reading r : pending) {
            try {
                emitter.emitAt(r.epochNanos(), r.monoNanos(), r.event());
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
        pending.clear();
    }

    /** A reading waiting to be sent: the event to build on its envelope, and when it was read. */
    private record Reading(long epochNanos, long monoNanos, Function<Envelope, LemEvent> event) {
    }

    /**
     * Stops the thread and waits for it (a tick in progress finishes, then the pending readings are sent).
     * Idempotent.
     */
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
