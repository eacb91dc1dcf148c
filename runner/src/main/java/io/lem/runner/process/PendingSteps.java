package io.lem.runner.process;

import io.lem.api.event.EpochClock;
import io.lem.api.event.TokensGenerated;
import io.lem.runner.events.EventEmitter;

import java.util.Arrays;

/**
 * Decode steps waiting to become {@code TokensGenerated} events, each stamped with the instant the step was reported.
 * Why not emit per step: on a busy 2-core VM the generation thread pays 10-50 µs per event when the encoder's code
 * and data have gone cold during the step (1-3 µs back to back), a few percent of a small model's step; sent in one
 * burst at the end of the batch, or once the oldest waiting step is {@link #MAX_WAIT_NANOS} old, they cost the hot
 * price. The Kafka sink delivers once a second anyway, so no reader sees them later than before.
 */
final class PendingSteps {

    /** Longest a step waits before it is sent. */
    static final long MAX_WAIT_NANOS = 1_000_000_000L;

    private int size;
    private int[] batch = new int[64];
    private int[] step = new int[64];
    private int[] tokens = new int[64];
    private long[] stepNanos = new long[64];
    private long[] epochNanos = new long[64];
    private long[] monoNanos = new long[64];

    /** Records one step; sends everything waiting when the oldest step has waited long enough. */
    void add(EventEmitter emitter, int batchIndex, int stepIndex, int tokensProduced, long nanos) {
        long mono = System.nanoTime();
        if (size == batch.length) {
            grow();
        }
        batch[size] = batchIndex;
        step[size] = stepIndex;
        tokens[size] = tokensProduced;
        stepNanos[size] = nanos;
        epochNanos[size] = EpochClock.nowEpochNanos();
        monoNanos[size] = mono;
        size++;
        if (mono - monoNanos[0] >= MAX_WAIT_NANOS) {
            flush(emitter);
        }
    }

    /** Sends every waiting step, in order. */
    void flush(EventEmitter emitter) {
        for (int k = 0; k < size; k++) {
            int b = batch[k];
            int s = step[k];
            int t = tokens[k];
            long n = stepNanos[k];
            emitter.emitAt(epochNanos[k], monoNanos[k], env -> new TokensGenerated(env, b, s, t, n));
        }
        size = 0;
    }

    int size() {
        return size;
    }

    private void grow() {
        int n = batch.length * 2;
        batch = Arrays.copyOf(batch, n);
        step = Arrays.copyOf(step, n);
        tokens = Arrays.copyOf(tokens, n);
        stepNanos = Arrays.copyOf(stepNanos, n);
        epochNanos = Arrays.copyOf(epochNanos, n);
        monoNanos = Arrays.copyOf(monoNanos, n);
    }
}
