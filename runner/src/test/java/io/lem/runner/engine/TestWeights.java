package io.lem.runner.engine;

import io.lem.runner.model.weights.DType;
import io.lem.runner.model.weights.TensorInfo;
import io.lem.runner.model.weights.WeightStore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** An in-memory checkpoint for tests. */
public final class TestWeights implements WeightStore {

    private final Map<String, float[]> data = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    public TestWeights put(String name, float[] values, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape of " + n);
        }
        data.put(name, values.clone());
        shapes.put(name, shape.clone());
        return this;
    }

    public TestWeights remove(String name) {
        data.remove(name);
        shapes.remove(name);
        return this;
    }

    /** The stored values (not a copy). */
    public float[] get(String name) {
        float[] v = data.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return v;
    }

    @Override
    public Set<String> names() {
        return data.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        if (!shapes.containsKey(name)) {
            throw new IllegalArgumentException("no tensor " + name + " in test weights");
        }
        return new TensorInfo(name, DType.F32, shapes.get(name), "memory");
    }

    @Override
    public float[] floats(String name) {
        return get(name).clone();
    }

    @Override
    public void close() {
    }
}
