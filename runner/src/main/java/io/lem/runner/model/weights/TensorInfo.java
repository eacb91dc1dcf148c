package io.lem.runner.model.weights;

import java.util.Arrays;

/**
 * One tensor of a checkpoint.
 *
 * @param name   tensor name, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param dtype  element type as stored
 * @param shape  dimensions, row-major
 * @param file   file name holding it (one of the shards)
 */
public record TensorInfo(String name, DType dtype, long[] shape, String file) {

    public TensorInfo {
        shape = shape.clone();
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && file.equals(t.file);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " in " + file;
    }
}
