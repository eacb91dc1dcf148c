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

    /** Query heads attended together against one read of their KV head's keys and values. */
    static final int GROUP = 3;
    /** Head-dimension vectors accumulated together in the context loop. */
    private static final int CONTEXT_VECTORS = 4;

    /** Whether {@link #attendGrouped} takes heads of width {@code headDim} (a whole number of vectors). */
    static boolean groupable(int headDim) {
        return headDim % S.length() == 0;
    }

    /**
     * {@link #attend} for heads of a whole number of vectors ({@link #groupable}), the query heads that share a KV
     * head taken {@value #GROUP} at a time: each key and value vector is read once for all of them, and their
     * independent sums keep several FMA chains in flight. {@link #attendHeads} sums one head's single chain at a time
     * and reads the cache once per query head. For SmolLM2's heads (64 wide, 3 per KV head), 32 sequences of 81
     * columns, 30 layers of cache (141 MB, so mostly from memory), one thread: 24-30 ms per step with
     * {@link #attend}, 21 ms with the heads grouped, 10 ms with the key rows also read four vectors at a time.
     *
     * @param scores scratch of at least {@code GROUP · (column + 1 + 2 · lanes)} floats
     */
    static void attendGrouped(float[] qkv, int heads, int kvHeads, int headDim, ByteBuffer keys, ByteBuffer values,
            int capacity, int from, int column, float[] scores, float[] context) {
        writeColumn(qkv, heads, kvHeads, headDim, keys, values, capacity, column);
        int groups = heads / kvHeads;
        int step = S.length();
        int n = column + 1 - from;
        int stride = n + 2 * step;
        // whole vectors of columns read from the cache: the last partial one too when it lies inside the cache row
        int whole = from + S.loopBound(n) + step <= capacity ? (n + step - 1) / step * step : S.loopBound(n);
        int rowStride = capacity * Float.BYTES;
        int vRow = headDim * Float.BYTES;
        for (int h = 0; h < kvHeads; h++) {
            for (int g = 0; g < groups; g += GROUP) {
                // heads q0..q2 of this KV head (the last one repeated when fewer are left: computed, not stored)
                int last = h * groups + groups - 1;
                int h0 = h * groups + g;
                int h1 = Math.min(h0 + 1, last);
                int h2 = Math.min(h0 + 2, last);
                int q0 = h0 * headDim;
                int q1 = h1 * headDim;
                int q2 = h2 * headDim;
                int base = ((h * headDim) * capacity + from) * Float.BYTES;
                int j = 0;
                // four vectors of columns at a time: each key row is read as 4 consecutive vectors (whole cache
                // lines, one stream per row) rather than one vector per row per pass; the cache mostly comes from
                // memory (32 sequences' worth per layer), where that access pattern is what the time goes to
                for (; j + 4 * step <= whole; j += 4 * step) {
                    FloatVector a00 = FloatVector.zero(S);
                    FloatVector a01 = a00;
                    FloatVector a02 = a00;
                    FloatVector a03 = a00;
                    FloatVector a10 = a00;
                    FloatVector a11 = a00;
                    FloatVector a12 = a00;
                    FloatVector a13 = a00;
                    FloatVector a20 = a00;
                    FloatVector a21 = a00;
                    FloatVector a22 = a00;
                    FloatVector a23 = a00;
                    int o = base + j * Float.BYTES;
                    int vb = step * Float.BYTES;
                    for (int d = 0; d < headDim; d++) {
                        int r = o + d * rowStride;
                        FloatVector k0 = FloatVector.fromByteBuffer(S, keys, r, NATIVE);
                        FloatVector k1 = FloatVector.fromByteBuffer(S, keys, r + vb, NATIVE);
                        FloatVector k2 = FloatVector.fromByteBuffer(S, keys, r + 2 * vb, NATIVE);
                        FloatVector k3 = FloatVector.fromByteBuffer(S, keys, r + 3 * vb, NATIVE);
                        FloatVector p0 = FloatVector.broadcast(S, qkv[q0 + d]);
                        FloatVector p1 = FloatVector.broadcast(S, qkv[q1 + d]);
                        FloatVector p2 = FloatVector.broadcast(S, qkv[q2 + d]);
                        a00 = k0.fma(p0, a00);
                        a01 = k1.fma(p0, a01);
                        a02 = k2.fma(p0, a02);
                        a03 = k3.fma(p0, a03);
                        a10 = k0.fma(p1, a10);
                        a11 = k1.fma(p1, a11);
                        a12 = k2.fma(p1, a12);
                        a13 = k3.fma(p1, a13);
                        a20 = k0.fma(p2, a20);
                        a21 = k1.fma(p2, a21);
                        a22 = k2.fma(p2, a22);
                        a23 = k3.fma(p2, a23);
                    }
                    a00.intoArray(scores, j);
                    a01.intoArray(scores, j + step);
                    a02.intoArray(scores, j + 2 * step);
                    a03.intoArray(scores, j + 3 * step);
                    a10.intoArray(scores, stride + j);
                    a11.intoArray(scores, stride + j + step);
                    a12.intoArray(scores, stride + j + 2 * step);
                    a13.intoArray(scores, stride + j + 3 * step);
                    a20.intoArray(scores, 2 * stride + j);
                    a21.intoArray(scores, 2 * stride + j + step);
                    a22.intoArray(scores, 2 * stride + j + 2 * step);
                    a23.intoArray(scores, 2 * stride + j + 3 * step);
                }
                for (; j + 2 * step <= whole; j += 2 * step) {
                    FloatVector a00 = FloatVector.zero(S);
                    FloatVector a01 = a00;
                    FloatVector a10 = a00;
                    FloatVector a11 = a00;
                    FloatVector a20 = a00;
                    FloatVector a21 = a00;
                    int o = base + j * Float.BYTES;
                    int vb = step * Float.BYTES;
                    for (int d = 0; d < headDim; d++) {
                        int r = o + d * rowStride;
                        FloatVector k0 = FloatVector.fromByteBuffer(S, keys, r, NATIVE);
                        FloatVector k1 = FloatVector.fromByteBuffer(S, keys, r + vb, NATIVE);
                        FloatVector p0 = FloatVector.broadcast(S, qkv[q0 + d]);
                        FloatVector p1 = FloatVector.broadcast(S, qkv[q1 + d]);
                        FloatVector p2 = FloatVector.broadcast(S, qkv[q2 + d]);
                        a00 = k0.fma(p0, a00);
                        a01 = k1.fma(p0, a01);
                        a10 = k0.fma(p1, a10);
                        a11 = k1.fma(p1, a11);
                        a20 = k0.fma(p2, a20);
                        a21 = k1.fma(p2, a21);
                    }
                    a00.intoArray(scores, j);
                    a01.intoArray(scores, j + step);
                    a10.intoArray(scores, stride + j);
                    a11.intoArray(scores, stride + j + step);
                    a20.intoArray(scores, 2 * stride + j);
                    a21.intoArray(scores, 2 * stride + j + step);
                }
                for (; j < whole; j += step) {
                    FloatVector a0 = FloatVector.zero(S);
                    FloatVector a1 = a0;
                    FloatVector a2 = a0;
                    int o = base + j * Float.BYTES;
                    for (int d = 0; d < headDim; d++) {
                        FloatVector k = FloatVector.fromByteBuffer(S, keys, o + d * rowStride, NATIVE);
                        a0 = k.fma(FloatVector.broadcast(S, qkv[q0 + d]), a0);
                        a1 = k.fma(FloatVector.broadcast(S, qkv[q1 + d]), a1);
                        a2 = k.fma(FloatVector.broadcast(S, qkv[q2 + d]), a2);
                    }
                    a0.intoArray(scores, j);
                    a1.intoArray(scores, stride + j);
                    a2.intoArray(scores, 2 * stride + j);
                }
                for (; j < n; j++) {
                    float s0 = 0;
                    float s1 = 0;
                    float s2 = 0;
                    int o = base + j * Float.BYTES;
                    for (int d = 0; d < headDim; d++) {
                        float k = keys.getFloat(o + d * rowStride);
                        s0 += qkv[q0 + d] * k;
                        s1 += qkv[q1 + d] * k;
                        s2 += qkv[q2 + d] * k;
                    }
                    scores[j] = s0;
                    scores[stride + j] = s1;
                    scores[2 * stride + j] = s2;
                }
                float inv0 = softmaxUnnormalized(scores, 0, n);
                float inv1 = softmaxUnnormalized(scores, stride, n);
                float inv2 = softmaxUnnormalized(scores, 2 * stride, n);
                // context = Σ_j p[j] · V[h, j, :], up to CONTEXT_VECTORS vectors of head dimensions at a time
                int vBase = (h * capacity + from) * headDim * Float.BYTES;
                int d = 0;
                for (; d + CONTEXT_VECTORS * step <= headDim; d += CONTEXT_VECTORS * step) {
                    FloatVector c00 = FloatVector.zero(S);
                    FloatVector c01 = c00;
                    FloatVector c02 = c00;
                    FloatVector c03 = c00;
                    FloatVector c10 = c00;
                    FloatVector c11 = c00;
                    FloatVector c12 = c00;
                    FloatVector c13 = c00;
                    FloatVector c20 = c00;
                    FloatVector c21 = c00;
                    FloatVector c22 = c00;
                    FloatVector c23 = c00;
                    int o = vBase + d * Float.BYTES;
                    for (j = 0; j < n; j++) {
                        int r = o + j * vRow;
                        FloatVector v0 = FloatVector.fromByteBuffer(S, values, r, NATIVE);
                        FloatVector v1 = FloatVector.fromByteBuffer(S, values, r + step * Float.BYTES, NATIVE);
                        FloatVector v2 = FloatVector.fromByteBuffer(S, values, r + 2 * step * Float.BYTES, NATIVE);
                        FloatVector v3 = FloatVector.fromByteBuffer(S, values, r + 3 * step * Float.BYTES, NATIVE);
                        FloatVector p0 = FloatVector.broadcast(S, scores[j]);
                        FloatVector p1 = FloatVector.broadcast(S, scores[stride + j]);
                        FloatVector p2 = FloatVector.broadcast(S, scores[2 * stride + j]);
                        c00 = v0.fma(p0, c00);
                        c01 = v1.fma(p0, c01);
                        c02 = v2.fma(p0, c02);
                        c03 = v3.fma(p0, c03);
                        c10 = v0.fma(p1, c10);
                        c11 = v1.fma(p1, c11);
                        c12 = v2.fma(p1, c12);
                        c13 = v3.fma(p1, c13);
                        c20 = v0.fma(p2, c20);
                        c21 = v1.fma(p2, c21);
                        c22 = v2.fma(p2, c22);
                        c23 = v3.fma(p2, c23);
                    }
                    c00.mul(inv0).intoArray(context, q0 + d);
                    c01.mul(inv0).intoArray(context, q0 + d + step);
                    c02.mul(inv0).intoArray(context, q0 + d + 2 * step);
                    c03.mul(inv0).intoArray(context, q0 + d + 3 * step);
                    // the repeated last head is written after the heads before it (h1 = h2 when one is left)
                    c10.mul(inv1).intoArray(context, q1 + d);
                    c11.mul(inv1).intoArray(context, q1 + d + step);
                    c12.mul(inv1).intoArray(context, q1 + d + 2 * step);
                    c13.mul(inv1).intoArray(context, q1 + d + 3 * step);
                    c20.mul(inv2).intoArray(context, q2 + d);
                    c21.mul(inv2).intoArray(context, q2 + d + step);
                    c22.mul(inv2).intoArray(context, q2 + d + 2 * step);
                    c23.mul(inv2).intoArray(context, q2 + d + 3 * step);
                }
                for (; d < headDim; d += step) {
                    FloatVector c0 = FloatVector.zero(S);
                    FloatVector c1 = c0;
                    FloatVector c2 = c0;
                    int o = vBase + d * Float.BYTES;
                    for (j = 0; j < n; j++) {
                        FloatVector v = FloatVector.fromByteBuffer(S, values, o + j * vRow, NATIVE);
                        c0 = v.fma(FloatVector.broadcast(S, scores[j]), c0);
                        c1 = v.fma(FloatVector.broadcast(S, scores[stride + j]), c1);
                        c2 = v.fma(FloatVector.broadcast(S, scores[2 * stride + j]), c2);
                    }
                    c0.mul(inv0).intoArray(context, q0 + d);
                    c1.mul(inv1).intoArray(context, q1 + d);
                    c2.mul(inv2).intoArray(context, q2 + d);
                }
            }
        }
    }

    /** {@code s[at + j] = exp(s[at + j] - max)} for {@code j < n}; returns 1 / their sum. */
    private static float softmaxUnnormalized(float[] s, int at, int n) {
        int step = S.length();
        int bound = S.loopBound(n);
        FloatVector maxes = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < bound; j += step) {
            maxes = maxes.max(FloatVector.fromArray(S, s, at + j));
        }
        float max = maxes.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) {
            max = Math.max(max, s[at + j]);
        }
        FloatVector sums = FloatVector.zero(S);
        for (j = 0; j < bound; j += step) {
            FloatVector e = FloatVector.fromArray(S, s, at + j).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(s, at + j);
            sums = sums.add(e);
        }
        float sum = sums.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) {
            float e = (float) Math.exp(s[at + j] - max);
            s[at + j] = e;
            sum += e;
        }
        return 1f / sum;
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
