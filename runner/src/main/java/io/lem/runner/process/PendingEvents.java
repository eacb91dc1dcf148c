package io.lem.runner.process;

import io.lem.api.event.EpochClock;

import java.util.Arrays;
import java.util.concurrent.Executor;

/**
 * Events of the generation thread waiting to be sent, each stamped with the instant it happened: a batch's
 * {@code BatchStarted}, {@code PrefillCompleted}, decode steps and {@code BatchCompleted}. Why not emit each at once:
 * on a busy 2-core VM the generation thread pays 10-50 µs per event when the emitter's code and data have gone cold
 * during a step (1-3 µs back to back), a few percent of a small model's step. At the end of the batch, or once the
 * oldest has waited {@link #MAX_WAIT_NANOS}, the burst is {@linkplain #handOver handed over} whole to the event
 * thread, which numbers, builds and sends the events there; {@link #flush} sends them on the calling thread instead.
 * The Kafka sink delivers once a second anyway, so no reader sees them later than before. Not thread-safe: the
 * generation thread only.
 */
final class PendingEvents {

    /** Longest an event waits before it is sent. */
    static final long MAX_WAIT_NANOS = 1_000_000_000L;

    /** Sends one waiting event with the instant it happened. */
    @FunctionalInterface
    interface Emission {
        void emitAt(long epochNanos, long monoNanos);
    }

    private final Executor background;
    private int size;
    private Emission[] emissions = new Emission[64];
    private long[] epochNanos = new long[64];
    private long[] monoNanos = new long[64];

    /** @param background runs handed-over bursts, in order (the process's event thread) */
    PendingEvents(Executor background) {
        this.background = background;
    }

    /** Records an event that happened now; hands everything waiting over when the oldest has waited long enough. */
    void add(Emission emission) {
        long mono = System.nanoTime();
        if (size == emissions.length) {
            int n = size * 2;
            emissions = Arrays.copyOf(emissions, n);
            epochNanos = Arrays.copyOf(epochNanos, n);
            monoNanos = Arrays.copyOf(monoNanos, n);
        }
        emissions[size] = emission;
        epochNanos[size] = EpochClock.nowEpochNanos();
        monoNanos[size] = mono;
        size++;
        if (mono - monoNanos[0] >= MAX_WAIT_NANOS) {
            handOver();
        }
    }

    /**
     * Gives every waiting event to the background executor, to be sent there in order; what the process emits on its
     * own thread after this gets its seq before them unless it waits for the executor first.
     */
    void handOver() {
        int n = size;
        if (n == 0) {
            return;
        }
        Emission[] e = emissions;
        long[] epochs = epochNanos;
        long[] monos = monoNanos;
        int capacity = Math.max(64, Integer.highestOneBit(n) << 1);
        emissions = new Emission[capacity];
        epochNanos = new long[capacity];
        monoNanos = new long[capacity];
        size = 0;
        background.execute(() -> emitAll(e, epochs, monos, n));
    }

    /**
     * Sends every waiting event on this thread, in order. An event that fails to send is dropped with the ones after
     * it, and the failure is thrown.
     */
    void flush() {
        int n = size;
        size = 0;
        emitAll(emissions, epochNanos, monoNanos, n);
    }

    private static void emitAll(Emission[] emissions, long[] epochNanos, long[] monoNanos, int n) {
        for (int k = 0; k < n; k++) {
            Emission e = emissions[k];
            emissions[k] = null;
            try {
                e.emitAt(epochNanos[k], monoNanos[k]);
            } catch (RuntimeException failure) {
                Arrays.fill(emissions, k + 1, n, null);
                throw failure;
            }
        }
    }
}
