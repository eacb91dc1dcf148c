package io.lem.runner.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lem.runner.model.weights.WeightStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads checkpoint tensors (always float32 on the JVM side, see {@link WeightStore#floats}), checks their shapes
 * against the config, and uploads them to the device in the compute dtype. Tensors are created from JVM arrays, never
 * from a memory map, so in-place ops on them are safe; a BFLOAT16 NDArray is never created (float16 or float32 only).
 * Counts the parameters it read.
 */
public final class WeightLoader {

    private final WeightStore store;
    private final NDManager manager;
    private final DataType dtype;
    private final Set<String> read = new HashSet<>();
    private long parameters;

    public WeightLoader(WeightStore store, NDManager manager, DataType dtype) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new EngineException("compute dtype must be float32 or float16, was " + dtype);
        }
        this.store = store;
        this.manager = manager;
        this.dtype = dtype;
    }

    public DataType dtype() {
        return dtype;
    }

    public NDManager manager() {
        return manager;
    }

    public boolean has(String name) {
        return store.contains(name);
    }

    /** Parameters read so far (a tensor read twice, e.g. a tied embedding, counts once). */
    public long parameters() {
        return parameters;
    }

    /** The tensor's values (float32, row-major), checked to have {@code shape}. */
    public float[] floats(String name, long... shape) {
        float[] data = read(name, shape);
        if (read.add(name)) {
            parameters += data.length;
        }
        return data;
    }

    /**
     * A non-parameter buffer (e.g. BART's {@code final_logits_bias}) on the device: read and shape-checked like a
     * tensor, but not counted in {@link #parameters()}, as HuggingFace's {@code num_parameters()} does not count it.
     */
    public NDArray buffer(String name, long... shape) {
        return upload(read(name, shape), shape);
    }

    private float[] read(String name, long... shape) {
        if (!store.contains(name)) {
            throw new EngineException("the checkpoint has no tensor '" + name + "' (expected shape "
                    + Arrays.toString(shape) + ")");
        }
        long[] actual = store.info(name).shape();
        if (!Arrays.equals(actual, shape)) {
            throw new EngineException("tensor '" + name + "' has shape " + Arrays.toString(actual)
                    + " but the config implies " + Arrays.toString(shape));
        }
        float[] data;
        try {
            data = store.floats(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tensor '" + name + "': " + e.getMessage(), e);
        }
        return data;
    }

    /** The tensor on the device in the compute dtype. */
    public NDArray tensor(String name, long... shape) {
        return upload(floats(name, shape), shape);
    }

    /** The tensor if the checkpoint has it, else null. */
    public NDArray optional(String name, long... shape) {
        return has(name) ? tensor(name, shape) : null;
    }

    /** Uploads JVM values to the device in the compute dtype. */
    public NDArray upload(float[] data, long... shape) {
        return upload(data, dtype, shape);
    }

    /** Uploads JVM values to the device in {@code type} (float32 or float16). */
    public NDArray upload(float[] data, DataType type, long... shape) {
        NDArray f32 = manager.create(data, new Shape(shape));
        if (type == DataType.FLOAT32) {
            return f32;
        }
        NDArray converted = f32.toType(type, false);
        f32.close();
        return converted;
    }

    /** Row-wise concatenation of {@code [rows_i, cols]} matrices (for fused projections); nulls are skipped. */
    public static float[] concatRows(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p == null ? 0 : p.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            if (p != null) {
                System.arraycopy(p, 0, out, at, p.length);
                at += p.length;
            }
        }
        return out;
    }

    /** Multiplies every value in place (folds a constant scale into a weight). */
    public static float[] scale(float[] values, double factor) {
        if (values != null) {
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (values[i] * factor);
            }
        }
        return values;
    }

    /**
     * Multiplies column {@code c} of a row-major {@code [rows, gains.length]} matrix by {@code gains[c]} in place:
     * {@code W·diag(g)}, which folds a norm's gain into the projection after it.
     */
    public static float[] scaleColumns(float[] matrix, float[] gains) {
        int cols = gains.length;
        for (int i = 0; i < matrix.length; i++) {
            matrix[i] *= gains[i % cols];
        }
        return matrix;
    }

    /** The transpose of a row-major {@code [rows, cols]} matrix. */
    public static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }
}
