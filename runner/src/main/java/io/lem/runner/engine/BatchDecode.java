package io.lem.runner.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The switch for batch decode on the JVM (one new token for each of several sequences, float32 on the CPU): the
 * model keeps the residual stream in Java arrays and does RMSNorm, RoPE, SwiGLU, residual adds and attention over the
 * KV cache's memory there, leaving only the products to MKL (one input copy, one GEMM and one read-back each), where
 * the DJL path issues ~40 PyTorch ops per layer. On by default when the incubator Vector API module is present;
 * {@code -Dlem.engine.java-batch=false} turns it off (the DJL path then runs), {@link #force} sets it (tests,
 * benchmarks); {@code -Dlem.engine.java-batch-split=false} keeps its attention on the calling thread.
 */
public final class BatchDecode {

    /**
     * Batches above this many sequences take the DJL path: measured at batch 32; wider GEMMs are less skinny, where
     * the DJL path's per-op overhead weighs less (not measured above 64).
     */
    public static final int MAX_BATCH = 64;

    /**
     * Whether the attention is split over the caller and the pair worker (with the products' split); off with
     * {@code -Dlem.engine.java-batch-split=false}. Interleaved at batch 32 (BatchDecodeProbe, load ~2): split
     * 113-125 ms/step, caller only 119-122; the split wins most when the other core is free.
     */
    static volatile boolean splitAttention = !"false".equalsIgnoreCase(
            System.getProperty("lem.engine.java-batch-split"));
    private static volatile Boolean forced = parse(System.getProperty("lem.engine.java-batch"));

    private static final AtomicLong STEPS = new AtomicLong();

    private BatchDecode() {
    }

    /** Layer steps of batch attention run so far (tests check that the path was taken). */
    public static long steps() {
        return STEPS.get();
    }

    private static Boolean parse(String value) {
        return value == null || value.equalsIgnoreCase("auto") ? null : Boolean.valueOf(value);
    }

    /** Whether a batch decode step of {@code batch} sequences takes the JVM path. */
    public static boolean active(int batch) {
        return batch > 1 && batch <= MAX_BATCH && JavaMatVec.available() && !Boolean.FALSE.equals(forced);
    }

    /** Forces the path on or off; null restores the default. */
    public static void force(Boolean on) {
        forced = on;
    }

    /** The length of each scratch array {@link #attend} needs for a cache of {@code capacity} columns. */
    public static int scratchLength(int capacity) {
        return VectorKernels.GROUP * (capacity + 2 * VectorKernels.lanes());
    }

    /**
     * Single-token attention of every sequence of a batch over its float32 cache slices
     * ({@link BatchState#sequenceCacheBuffers(int)}), as {@link JavaMatVec#attend} for each: writes sequence
     * {@code s}'s new key and value at column {@code column}, then the context of its query heads over columns
     * {@code [from[s], column]} into {@code context[s]}. The sequences are split over the caller and the pair worker
     * (when the products are split); {@code scores} and {@code workerScores} are their scratch, each at least
     * {@link #scratchLength} long.
     *
     * @param qkv   per sequence, q heads {@code [heads, headDim]} then k and v {@code [kvHeads, headDim]} each
     *              (rotated, q scaled)
     * @param cache per sequence, its key and value cache buffers
     */
    public static void attend(float[][] qkv, int heads, int kvHeads, int headDim, ByteBuffer[][] cache,
            int capacity, int[] from, int column, float[][] context, float[] scores, float[] workerScores) {
        int batch = qkv.length;
        int room = scratchLength(capacity);
        if (column >= capacity || heads % kvHeads != 0 || scores.length < room || workerScores.length < room) {
            throw new IllegalArgumentException("column " + column + " capacity " + capacity);
        }
        for (int s = 0; s < batch; s++) {
            if (from[s] < 0 || from[s] > column) {
                throw new IllegalArgumentException("sequence " + s + " from " + from[s] + " column " + column);
            }
        }
        STEPS.incrementAndGet();
        if (batch >= 2 && JavaMatVec.split() && splitAttention) {
            int half = (batch + 1) / 2;
            JavaMatVec.worker().run(
                    () -> attendRange(qkv, heads, kvHeads, headDim, cache, capacity, from, column, context, scores,
                            0, half),
                    () -> attendRange(qkv, heads, kvHeads, headDim, cache, capacity, from, column, context,
                            workerScores, half, batch));
        } else {
            attendRange(qkv, heads, kvHeads, headDim, cache, capacity, from, column, context, scores, 0, batch);
        }
    }

    private static void attendRange(float[][] qkv, int heads, int kvHeads, int headDim,
            ByteBuffer[][] cache, int capacity, int[] from, int column, float[][] context, float[] scores,
            int first, int end) {
        boolean grouped = VectorKernels.groupable(headDim);
        for (int s = first; s < end; s++) {
            if (grouped) {
                VectorKernels.attendGrouped(qkv[s], heads, kvHeads, headDim, cache[s][0], cache[s][1], capacity,
                        from[s], column, scores, context[s]);
                continue;
            }
            VectorKernels.attend(qkv[s], heads, kvHeads, headDim, cache[s][0], cache[s][1], capacity, from[s], column,
                    scores, context[s]);
        }
    }
}
