package io.lem.runner.engine;

import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's intra-op thread count per forward pass. A pass over a single token (batch-1 decode) runs on one thread:
 * its matrix-vector products did not get faster with a second thread on this CPU (MKL gemv at ~14 GB/s either way),
 * while the ~1,200 small ops of a step each paid an OpenMP fork/join; measured with SmolLM2-135M dims, float32:
 * 37-53 ms per step on one thread against 43-61 ms on two (same machine, interleaved runs). Every pass over more
 * tokens (prefill, batch decode) uses all configured threads ({@code ai.djl.pytorch.num_threads}, default: the core
 * count); batch 4 and 8 ran 25-45% slower on one thread. Set {@code -Dlem.engine.adaptive-threads=false} to always
 * use the configured count. Only changes the count when it differs from the last one set (twice per batch-1 batch).
 */
public final class IntraOpThreads {

    private static final boolean ADAPTIVE = !"false".equalsIgnoreCase(
            System.getProperty("lem.engine.adaptive-threads"));
    private static int configured = -1;
    private static int current = -1;

    private IntraOpThreads() {
    }

    /** Sets the thread count for a forward pass over {@code tokens} new tokens (all sequences together). */
    public static synchronized void forTokens(int tokens) {
        if (!ADAPTIVE) {
            return;
        }
        if (configured < 0) {
            configured = JniUtils.getNumThreads();
            current = configured;
        }
        int wanted = tokens <= 1 ? 1 : configured;
        if (wanted != current) {
            JniUtils.setNumThreads(wanted);
            current = wanted;
        }
    }

    /**
     * Runs {@code work} with exactly {@code threads} intra-op threads and restores the previous count afterwards (for
     * measurements that compare thread counts; the adaptive setting is bypassed while it runs).
     */
    public static synchronized <T> T with(int threads, java.util.function.Supplier<T> work) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        int before = JniUtils.getNumThreads();
        if (configured < 0) {
            configured = before;
            current = before;
        }
        JniUtils.setNumThreads(threads);
        try {
            return work.get();
        } finally {
            JniUtils.setNumThreads(before);
            current = before;
        }
    }

    /** The configured thread count (what multi-token passes use). */
    public static synchronized int configured() {
        return configured < 0 ? JniUtils.getNumThreads() : configured;
    }
}
