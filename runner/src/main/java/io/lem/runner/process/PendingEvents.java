package io.lem.runner.process;

import io.lem.api.event.EpochClock;

import java.util.Arrays;

/**
 * Events of the generation thread waiting to be sent, each stamped with the instant it happened: a batch's
 * {@code BatchStarted}, {@code PrefillCompleted} and decode steps, and the previous batch's FLOPs estimates. Why not
 * emit each at once: on a busy 2-core VM the generation thread pays 10-50 µs per event when the encoder's code and
 * data have gone cold during a step (1-3 µs back to back), a few percent of a small model's step; sent in one burst
 * at the end of the batch, or once the oldest has waited {@link #MAX_WAIT_NANOS}, they cost the hot price. The Kafka
 * sink delivers once a second anyway, so no reader sees them later than before. Not thread-safe: the generation
 * thread only.
 */
final class PendingEvents {

    /** Longest an event waits before it is sent. */
    static final long MAX_WAIT_NANOS = 1_000_000_000L;

    /** Sends one waiting event with the instant it happened. */
    @FunctionalInterface
    interface Emission {
        void emitAt(long epochNanos, long monoNanos);
    }

    private int size;
    private Emission[] emissions = new Emission[64];
    private long[] epochNanos = new long[64];
    private long[] monoNanos = new long[64];

    /** Records an event that happened now; sends everything waiting when the oldest has waited long enough. */
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
            flush();
        }
    }

    /**
     * Sends every waiting event, in order. An event that fails to send is dropped from the queue with the ones
     * before it, and the failure is thrown.
     */
    void flush() {
        int n = size;
        size = 0;
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
