package io.lem.runner.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Kernel variants for {@link MatVecBenchmark} (exploration only; cols a multiple of the lanes, rows of 8). */
final class KernelVariants {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private KernelVariants() {
    }

    static void direct8(ByteBuffer w, int cols, float[] x, float[] y, int from, int to) {
        int step = S.length();
        int rowBytes = cols * 4;
        for (int r = from; r < to; r += 8) {
            int b = r * rowBytes;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int c = 0; c < cols; c += step) {
                FloatVector xv = FloatVector.fromArray(S, x, c);
                int o = b + c * 4;
                a0 = FloatVector.fromByteBuffer(S, w, o, NATIVE).fma(xv, a0);
                a1 = FloatVector.fromByteBuffer(S, w, o + rowBytes, NATIVE).fma(xv, a1);
                a2 = FloatVector.fromByteBuffer(S, w, o + 2 * rowBytes, NATIVE).fma(xv, a2);
                a3 = FloatVector.fromByteBuffer(S, w, o + 3 * rowBytes, NATIVE).fma(xv, a3);
                a4 = FloatVector.fromByteBuffer(S, w, o + 4 * rowBytes, NATIVE).fma(xv, a4);
                a5 = FloatVector.fromByteBuffer(S, w, o + 5 * rowBytes, NATIVE).fma(xv, a5);
                a6 = FloatVector.fromByteBuffer(S, w, o + 6 * rowBytes, NATIVE).fma(xv, a6);
                a7 = FloatVector.fromByteBuffer(S, w, o + 7 * rowBytes, NATIVE).fma(xv, a7);
            }
            y[r] = a0.reduceLanes(VectorOperators.ADD);
            y[r + 1] = a1.reduceLanes(VectorOperators.ADD);
            y[r + 2] = a2.reduceLanes(VectorOperators.ADD);
            y[r + 3] = a3.reduceLanes(VectorOperators.ADD);
            y[r + 4] = a4.reduceLanes(VectorOperators.ADD);
            y[r + 5] = a5.reduceLanes(VectorOperators.ADD);
            y[r + 6] = a6.reduceLanes(VectorOperators.ADD);
            y[r + 7] = a7.reduceLanes(VectorOperators.ADD);
        }
    }

    /** Two rows, columns unrolled by 4. */
    static void direct2x4(ByteBuffer w, int cols, float[] x, float[] y, int from, int to) {
        int step = S.length();
        int rowBytes = cols * 4;
        for (int r = from; r < to; r += 2) {
            int b = r * rowBytes;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
            for (int c = 0; c < cols; c += 4 * step) {
                int o = b + c * 4;
                FloatVector x0 = FloatVector.fromArray(S, x, c);
                FloatVector x1 = FloatVector.fromArray(S, x, c + step);
                FloatVector x2 = FloatVector.fromArray(S, x, c + 2 * step);
                FloatVector x3 = FloatVector.fromArray(S, x, c + 3 * step);
                a0 = FloatVector.fromByteBuffer(S, w, o, NATIVE).fma(x0, a0);
                a1 = FloatVector.fromByteBuffer(S, w, o + 64, NATIVE).fma(x1, a1);
                a2 = FloatVector.fromByteBuffer(S, w, o + 128, NATIVE).fma(x2, a2);
                a3 = FloatVector.fromByteBuffer(S, w, o + 192, NATIVE).fma(x3, a3);
                c0 = FloatVector.fromByteBuffer(S, w, o + rowBytes, NATIVE).fma(x0, c0);
                c1 = FloatVector.fromByteBuffer(S, w, o + rowBytes + 64, NATIVE).fma(x1, c1);
                c2 = FloatVector.fromByteBuffer(S, w, o + rowBytes + 128, NATIVE).fma(x2, c2);
                c3 = FloatVector.fromByteBuffer(S, w, o + rowBytes + 192, NATIVE).fma(x3, c3);
            }
            y[r] = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            y[r + 1] = c0.add(c1).add(c2.add(c3)).reduceLanes(VectorOperators.ADD);
        }
    }

    static void float8(float[] w, int cols, float[] x, float[] y, int from, int to) {
        int step = S.length();
        for (int r = from; r < to; r += 8) {
            int b = r * cols;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int c = 0; c < cols; c += step) {
                FloatVector xv = FloatVector.fromArray(S, x, c);
                int o = b + c;
                a0 = FloatVector.fromArray(S, w, o).fma(xv, a0);
                a1 = FloatVector.fromArray(S, w, o + cols).fma(xv, a1);
                a2 = FloatVector.fromArray(S, w, o + 2 * cols).fma(xv, a2);
                a3 = FloatVector.fromArray(S, w, o + 3 * cols).fma(xv, a3);
                a4 = FloatVector.fromArray(S, w, o + 4 * cols).fma(xv, a4);
                a5 = FloatVector.fromArray(S, w, o + 5 * cols).fma(xv, a5);
                a6 = FloatVector.fromArray(S, w, o + 6 * cols).fma(xv, a6);
                a7 = FloatVector.fromArray(S, w, o + 7 * cols).fma(xv, a7);
            }
            y[r] = a0.reduceLanes(VectorOperators.ADD);
            y[r + 1] = a1.reduceLanes(VectorOperators.ADD);
            y[r + 2] = a2.reduceLanes(VectorOperators.ADD);
            y[r + 3] = a3.reduceLanes(VectorOperators.ADD);
            y[r + 4] = a4.reduceLanes(VectorOperators.ADD);
            y[r + 5] = a5.reduceLanes(VectorOperators.ADD);
            y[r + 6] = a6.reduceLanes(VectorOperators.ADD);
            y[r + 7] = a7.reduceLanes(VectorOperators.ADD);
        }
    }

    /** Four rows, one accumulator each (the first try: 11 GB/s from a direct buffer, 18 from an array). */
    static void direct4(ByteBuffer w, int cols, float[] x, float[] y, int from, int to) {
        int step = S.length();
        int bound = S.loopBound(cols);
        long rowBytes = (long) cols * Float.BYTES;
        int r = from;
        for (; r + 4 <= to; r += 4) {
            int b0 = (int) (r * rowBytes);
            int b1 = (int) (b0 + rowBytes);
            int b2 = (int) (b1 + rowBytes);
            int b3 = (int) (b2 + rowBytes);
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            int c = 0;
            for (; c < bound; c += step) {
                FloatVector xv = FloatVector.fromArray(S, x, c);
                int off = c * Float.BYTES;
                a0 = FloatVector.fromByteBuffer(S, w, b0 + off, NATIVE).fma(xv, a0);
                a1 = FloatVector.fromByteBuffer(S, w, b1 + off, NATIVE).fma(xv, a1);
                a2 = FloatVector.fromByteBuffer(S, w, b2 + off, NATIVE).fma(xv, a2);
                a3 = FloatVector.fromByteBuffer(S, w, b3 + off, NATIVE).fma(xv, a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            float s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD);
            float s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                float xc = x[c];
                int off = c * Float.BYTES;
                s0 += w.getFloat(b0 + off) * xc;
                s1 += w.getFloat(b1 + off) * xc;
                s2 += w.getFloat(b2 + off) * xc;
                s3 += w.getFloat(b3 + off) * xc;
            }
            y[r] = s0;
            y[r + 1] = s1;
            y[r + 2] = s2;
            y[r + 3] = s3;
        }
        for (; r < to; r++) {
            int b0 = (int) (r * rowBytes);
            FloatVector a0 = FloatVector.zero(S);
            int c = 0;
            for (; c < bound; c += step) {
                a0 = FloatVector.fromByteBuffer(S, w, b0 + c * Float.BYTES, NATIVE).fma(FloatVector.fromArray(S, x, c),
                        a0);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                s0 += w.getFloat(b0 + c * Float.BYTES) * x[c];
            }
            y[r] = s0;
        }
    }

    /** The same product with the matrix in a Java array (for comparison: a copy of the weights). */
    static void float4(float[] w, int cols, float[] x, float[] y, int from, int to) {
        int step = S.length();
        int bound = S.loopBound(cols);
        int r = from;
        for (; r + 4 <= to; r += 4) {
            int b0 = r * cols;
            int b1 = b0 + cols;
            int b2 = b1 + cols;
            int b3 = b2 + cols;
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            int c = 0;
            for (; c < bound; c += step) {
                FloatVector xv = FloatVector.fromArray(S, x, c);
                a0 = FloatVector.fromArray(S, w, b0 + c).fma(xv, a0);
                a1 = FloatVector.fromArray(S, w, b1 + c).fma(xv, a1);
                a2 = FloatVector.fromArray(S, w, b2 + c).fma(xv, a2);
                a3 = FloatVector.fromArray(S, w, b3 + c).fma(xv, a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            float s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD);
            float s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                float xc = x[c];
                s0 += w[b0 + c] * xc;
                s1 += w[b1 + c] * xc;
                s2 += w[b2 + c] * xc;
                s3 += w[b3 + c] * xc;
            }
            y[r] = s0;
            y[r + 1] = s1;
            y[r + 2] = s2;
            y[r + 3] = s3;
        }
        for (; r < to; r++) {
            float s0 = 0;
            for (int c = 0; c < cols; c++) {
                s0 += w[r * cols + c] * x[c];
            }
            y[r] = s0;
        }
    }
}
