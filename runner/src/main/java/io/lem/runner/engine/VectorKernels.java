package io.lem.runner.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Float32 matrix-vector kernels on the JDK incubator Vector API. Only {@link JavaMatVec} touches this class, and only
 * after checking that the {@code jdk.incubator.vector} module is in the boot layer (loading it without the module
 * fails with {@code NoClassDefFoundError}).
 *
 * <p>The matrix is row-major {@code [rows, cols]} float32 in native byte order, read through a (direct) byte buffer:
 * the PyTorch tensor's own memory, no copy. The dot products are summed lane-wise and reduced at the end of each row
 * (a different summation order than MKL's: results agree to float32 rounding, not bit for bit).
 */
final class VectorKernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private VectorKernels() {
    }

    /** Vector lanes of the preferred species (16 with AVX-512). */
    static int lanes() {
        return S.length();
    }

    /**
     * {@code y[r] = Σ_c w[r, c] · x[c]} for rows {@code [from, to)} of {@code w [rows, cols]}, read from {@code w}
     * starting at byte 0.
     *
     * <p>One row at a time, its columns unrolled by four vectors into four accumulators (four independent load/FMA
     * chains over consecutive cache lines). Measured on this Zen 5 for SmolLM2's shapes, one thread, from the
     * tensor's direct buffer: 24 GB/s, against 11 GB/s for four rows with one accumulator each and 18 GB/s for MKL's
     * gemv (see {@code MatVecBenchmark}).
     */
    static void multiply(ByteBuffer w, int cols, float[] x, float[] y, int from, int to) {
        int step = S.length();
        int bound4 = cols - cols % (4 * step);
        int bound = S.loopBound(cols);
        int vectorBytes = step * Float.BYTES;
        int rowBytes = cols * Float.BYTES;
        for (int r = from; r < to; r++) {
            int b = r * rowBytes;
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int c = 0;
            for (; c < bound4; c += 4 * step) {
                int o = b + c * Float.BYTES;
                a0 = FloatVector.fromByteBuffer(S, w, o, NATIVE).fma(FloatVector.fromArray(S, x, c), a0);
                a1 = FloatVector.fromByteBuffer(S, w, o + vectorBytes, NATIVE)
                        .fma(FloatVector.fromArray(S, x, c + step), a1);
                a2 = FloatVector.fromByteBuffer(S, w, o + 2 * vectorBytes, NATIVE)
                        .fma(FloatVector.fromArray(S, x, c + 2 * step), a2);
                a3 = FloatVector.fromByteBuffer(S, w, o + 3 * vectorBytes, NATIVE)
                        .fma(FloatVector.fromArray(S, x, c + 3 * step), a3);
            }
            for (; c < bound; c += step) {
                a0 = FloatVector.fromByteBuffer(S, w, b + c * Float.BYTES, NATIVE).fma(FloatVector.fromArray(S, x, c),
                        a0);
            }
            float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                sum += w.getFloat(b + c * Float.BYTES) * x[c];
            }
            y[r] = sum;
        }
    }

    /**
     * Single-token attention of one sequence over its float32 cache, in place of the cache ops of the DJL path:
     * writes the new key and value (column {@code column}), then for every query head
     * {@code softmax(q·K[:, from..column]) · V[from..column]} into {@code context [heads · headDim]}. Columns before
     * {@code from} are masked (pads, sliding window): the DJL path adds {@link BatchState#MASKED} to them, whose
     * weight is exactly 0 in float32, so skipping them is the same.
     *
     * @param qkv      q heads {@code [heads, headDim]} (already scaled and rotated), then k and v {@code [kvHeads,
     *                 headDim]} each
     * @param keys     key cache {@code [kvHeads, headDim, capacity]}
     * @param values   value cache {@code [kvHeads, capacity, headDim]}
     * @param scores   scratch of at least {@code column + 1 + lanes}
     */
    static void attend(float[] qkv, int heads, int kvHeads, int headDim, ByteBuffer keys, ByteBuffer values,
            int capacity, int from, int column, float[] scores, float[] context) {
        writeColumn(qkv, heads, kvHeads, headDim, keys, values, capacity, column);
        attendHeads(qkv, heads, kvHeads, headDim, keys, values, capacity, from, column, scores, context, 0, heads);
    }

    /** Writes the new key and value of {@code qkv} (see {@link #attend}) into cache column {@code column}. */
    static void writeColumn(float[] qkv, int heads, int kvHeads, int headDim, ByteBuffer keys, ByteBuffer values,
            int capacity, int column) {
        int kOff = heads * headDim;
        int vOff = kOff + kvHeads * headDim;
        for (int h = 0; h < kvHeads; h++) {
            for (int d = 0; d < headDim; d++) {
                keys.putFloat(((h * headDim + d) * capacity + column) * Float.BYTES, qkv[kOff + h * headDim + d]);
                values.putFloat(((h * capacity + column) * headDim + d) * Float.BYTES, qkv[vOff + h * headDim + d]);
            }
        }
    }

    /**
     * The attention of query heads {@code [headFrom, headTo)} over columns {@code [from, column]} (already written,
     * {@link #writeColumn}) into their slice of {@code context}. The scores of a block of columns and the context of
     * a block of head dimensions are each summed in registers over the whole reduction (no store and reload of a
     * partial sum per term).
     */
    static void attendHeads(float[] qkv, int heads, int kvHeads, int headDim, ByteBuffer keys, ByteBuffer values,
            int capacity, int from, int column, float[] scores, float[] context, int headFrom, int headTo) {
        int groups = heads / kvHeads;
        int step = S.length();
        int n = column + 1 - from;
        int bound = S.loopBound(n);
        int headBound = S.loopBound(headDim);
        int rowStride = capacity * Float.BYTES;
        for (int head = headFrom; head < headTo; head++) {
            int h = head / groups;
            int q = head * headDim;
            // scores over columns [from, column]: Σ_d q[d] · K[h, d, j], a vector of columns at a time
            int base = ((h * headDim) * capacity + from) * Float.BYTES;
            int j = 0;
            for (; j < bound; j += step) {
                FloatVector acc = FloatVector.zero(S);
                int o = base + j * Float.BYTES;
                for (int d = 0; d < headDim; d++) {
                    acc = FloatVector.fromByteBuffer(S, keys, o + d * rowStride, NATIVE)
                            .fma(FloatVector.broadcast(S, qkv[q + d]), acc);
                }
                acc.intoArray(scores, j);
            }
            if (j < n && from + j + step <= capacity && j + step <= scores.length) {
                // the last partial vector of columns, read as a whole one: the columns past {@code column} are in
                // the same cache rows (unused), their scores are ignored; a scalar tail would be up to lanes - 1
                // columns of headDim scalar loads each, per head
                FloatVector acc = FloatVector.zero(S);
                int o = base + j * Float.BYTES;
                for (int d = 0; d < headDim; d++) {
                    acc = FloatVector.fromByteBuffer(S, keys, o + d * rowStride, NATIVE)
                            .fma(FloatVector.broadcast(S, qkv[q + d]), acc);
                }
                acc.intoArray(scores, j);
                j = n;
            }
            for (; j < n; j++) {
                float sum = 0;
                int o = base + j * Float.BYTES;
                for (int d = 0; d < headDim; d++) {
                    sum += qkv[q + d] * keys.getFloat(o + d * rowStride);
                }
                scores[j] = sum;
            }
            float max = Float.NEGATIVE_INFINITY;
            for (j = 0; j < n; j++) {
                max = Math.max(max, scores[j]);
            }
            float sum = 0;
            FloatVector sums = FloatVector.zero(S);
            for (j = 0; j < bound; j += step) {
                FloatVector e = FloatVector.fromArray(S, scores, j).sub(max).lanewise(VectorOperators.EXP);
                e.intoArray(scores, j);
                sums = sums.add(e);
            }
            for (; j < n; j++) {
                float e = (float) Math.exp(scores[j] - max);
                scores[j] = e;
                sum += e;
            }
            sum += sums.reduceLanes(VectorOperators.ADD);
            float inv = 1f / sum;
            // context = Σ_j p[j] · V[h, j, :], a vector of head dimensions at a time
            int vBase = (h * capacity + from) * headDim * Float.BYTES;
            int vRow = headDim * Float.BYTES;
            int d = 0;
            for (; d < headBound; d += step) {
                FloatVector acc = FloatVector.zero(S);
                int o = vBase + d * Float.BYTES;
                for (j = 0; j < n; j++) {
                    acc = FloatVector.fromByteBuffer(S, values, o + j * vRow, NATIVE)
                            .fma(FloatVector.broadcast(S, scores[j]), acc);
                }
                acc.mul(inv).intoArray(context, q + d);
            }
            for (; d < headDim; d++) {
                float c = 0;
                for (j = 0; j < n; j++) {
                    c += scores[j] * values.getFloat(vBase + d * Float.BYTES + j * vRow);
                }
                context[q + d] = c * inv;
            }
        }
    }

    /** {@code out[i] = silu(gateUp[i]) · gateUp[n + i]} for {@code i < n}, {@code silu(g) = g / (1 + e^-g)}. */
    static void swiglu(float[] gateUp, int n, float[] out) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, gateUp, i);
            FloatVector e = g.neg().lanewise(VectorOperators.EXP).add(1f);
            g.div(e).mul(FloatVector.fromArray(S, gateUp, n + i)).intoArray(out, i);
        }
        for (; i < n; i++) {
            float g = gateUp[i];
            out[i] = g / (1f + (float) Math.exp(-g)) * gateUp[n + i];
        }
    }
}
