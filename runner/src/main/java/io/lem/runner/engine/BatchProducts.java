package io.lem.runner.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Float32 products {@code y = W · X} of weights {@code W [out, in]} (PyTorch tensors, MKL's GEMM) and activations
 * {@code X [in, columns]} kept on the JVM (feature-major, row-major {@code float[]}), for batch decode on the JVM
 * ({@link BatchDecode}). The input goes through one tensor per input width, kept for the batch and written through a
 * buffer over its memory (no JNI call, no fresh native block); the result is read back through a buffer over its
 * memory into the caller's array and freed: one matmul, one buffer and one close per product.
 */
public final class BatchProducts {

    private record Input(NDArray tensor, FloatBuffer memory) {
    }

    private final NDManager manager;
    private final int columns;
    private final Map<Integer, Input> inputs = new HashMap<>();

    /** Inputs of {@code columns} columns, their tensors in {@code manager} (close it to free them). */
    public BatchProducts(NDManager manager, int columns) {
        this.manager = manager;
        this.columns = columns;
    }

    /** {@code y[0, out·columns) = W · x} for {@code x [in, columns]}; {@code W} float32 {@code [out, in]} on the CPU. */
    public void multiply(NDArray w, float[] x, float[] y) {
        int out = (int) w.getShape().get(0);
        int in = (int) w.getShape().get(1);
        if (x.length < in * columns || y.length < out * columns) {
            throw new IllegalArgumentException("[" + out + ", " + in + "] times " + x.length + " into " + y.length);
        }
        Input input = inputs.computeIfAbsent(in, this::input);
        input.memory.put(0, x, 0, in * columns);
        try (NDArray product = w.matMul(input.tensor)) {
            product.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().get(0, y, 0, out * columns);
        }
    }

    private Input input(int width) {
        NDArray tensor = manager.zeros(new Shape(width, columns), DataType.FLOAT32);
        java.nio.ByteBuffer memory = tensor.toByteBuffer(true);
        if (!memory.isDirect() || memory.capacity() < width * columns * Float.BYTES) {
            throw new EngineException("no direct buffer over a CPU tensor's memory", null);
        }
        return new Input(tensor, memory.order(ByteOrder.nativeOrder()).asFloatBuffer());
    }
}
