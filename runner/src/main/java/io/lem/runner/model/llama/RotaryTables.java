package io.lem.runner.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Cosine and signed-sine tables {@code [positions, headDim]} on the device for HF's {@code rotate_half} RoPE:
 * {@code rope(x) = x·cos + rotate_half(x)·sin} with {@code rotate_half(x) = [-x₂, x₁]}. Writing {@code sinSigned =
 * [-sin, +sin]} turns {@code rotate_half(x)·sin} into {@code swap(x)·sinSigned} where {@code swap} exchanges the two
 * halves, a single flip of a {@code [2, headDim/2]} view. Angles are computed in double precision on the JVM. The
 * tables grow (doubling) when a batch needs positions beyond them; they belong to the model's manager.
 */
final class RotaryTables {

    private final NDManager manager;
    private final DataType dtype;
    private final int headDim;
    private final double[] inverseFrequencies;
    private int positions;
    private NDArray cos;
    private NDArray sinSigned;
    /** The same tables on the JVM, {@code [positions, headDim]} row-major (the Java single-token path). */
    private float[] cosRows;
    private float[] sinSignedRows;

    RotaryTables(NDManager manager, DataType dtype, int headDim, double[] inverseFrequencies, int initialPositions) {
        this.manager = manager;
        this.dtype = dtype;
        this.headDim = headDim;
        this.inverseFrequencies = inverseFrequencies.clone();
        build(Math.max(1, initialPositions));
    }

    /** Makes positions {@code [0, needed)} available. */
    void ensure(int needed) {
        if (needed > positions) {
            build(Math.max(needed, 2 * positions));
        }
    }

    NDArray cos() {
        return cos;
    }

    NDArray sinSigned() {
        return sinSigned;
    }

    /** cos at position {@code p}, {@code [headDim]} at offset {@code p · headDim} of the returned array. */
    float[] cosRows() {
        return cosRows;
    }

    /** sin at position {@code p}, signed as {@link #sinSigned()}, at offset {@code p · headDim}. */
    float[] sinSignedRows() {
        return sinSignedRows;
    }

    private void build(int n) {
        int half = headDim / 2;
        float[] c = new float[n * headDim];
        float[] s = new float[n * headDim];
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * inverseFrequencies[i];
                float cosine = (float) Math.cos(angle);
                float sine = (float) Math.sin(angle);
                c[p * headDim + i] = cosine;
                c[p * headDim + half + i] = cosine;
                s[p * headDim + i] = -sine;
                s[p * headDim + half + i] = sine;
            }
        }
        NDArray newCos = manager.create(c, new Shape(n, headDim));
        NDArray newSin = manager.create(s, new Shape(n, headDim));
        if (dtype != DataType.FLOAT32) {
            NDArray a = newCos.toType(dtype, false);
            NDArray b = newSin.toType(dtype, false);
            newCos.close();
            newSin.close();
            newCos = a;
            newSin = b;
        }
        if (cos != null) {
            cos.close();
            sinSigned.close();
        }
        cos = newCos;
        sinSigned = newSin;
        cosRows = c;
        sinSignedRows = s;
        positions = n;
    }
}
