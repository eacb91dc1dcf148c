package io.lem.runner.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The few tensor operations the model families are written in, each a handful of PyTorch ops (every JNI call costs
 * about a microsecond, so these work on whole tensors and never per element). Results are attached to the manager of
 * the first argument, which is why callers pass activations (in the step manager) first and weights second.
 *
 * <p>Precision: under float16, RMSNorm statistics and the attention softmax are computed in float32 and cast back,
 * as HuggingFace does; everything else runs in the compute dtype.
 */
public final class Ops {

    private Ops() {
    }

    /** {@code x · wᵀ + b} with {@code w} in PyTorch's {@code [out, in]} layout; {@code b} may be null. */
    public static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
    }

    /**
     * A projection in feature-major layout: {@code w · x (+ bias)} for {@code w [out, in]} and activations
     * {@code x [in, tokens]}, giving {@code [out, tokens]}; {@code bias} is a column {@code [out, 1]} or null. On this
     * CPU's MKL, {@code W·X} with X contiguous {@code [in, tokens]} ran at ~90 GFLOP/s for 32 tokens where
     * {@code linear(x [tokens, in], W)} (= {@code x·Wᵀ}) ran at ~45-70 (SmolLM2 layer shapes, 2 threads); the two are
     * equal for a single token. The result is attached to {@code x}'s manager (an op's result otherwise belongs to
     * its first operand's, here the model's).
     */
    public static NDArray project(NDArray w, NDArray x, NDArray bias) {
        NDArray y = w.matMul(x);
        y.attach(x.getManager());
        return bias == null ? y : y.addi(bias);
    }

    /**
     * The LM head in feature-major layout: logits {@code head · hidden} of {@code hidden [width, batch]} against
     * {@code head [vocab, width]}, copied to the JVM as float32, row-major {@code [batch, vocab]} (the transpose of
     * the device's {@code [vocab, batch]} is done on the JVM, blocked, not as a strided copy on the device). The copy
     * is the device synchronization point of a forward pass.
     */
    public static float[] logits(NDArray head, NDArray hidden) {
        return logits(project(head, hidden, null));
    }

    /**
     * Logits computed feature-major, {@code [vocab, batch]} (e.g. with a logits bias added), copied to the JVM as
     * float32, row-major {@code [batch, vocab]}; see {@link #logits(NDArray, NDArray)}.
     */
    public static float[] logits(NDArray byVocab) {
        if (byVocab.getDataType() != DataType.FLOAT32) {
            byVocab = byVocab.toType(DataType.FLOAT32, false);
        }
        float[] columns = byVocab.toFloatArray();
        long[] shape = byVocab.getShape().getShape();
        return transpose(columns, (int) shape[0], (int) shape[1]);
    }

    /**
     * The LM head for one token from row halves of the head, multiplied concurrently ({@link SplitMatVec}): the
     * logits {@code [vocab]} as float32, the halves copied one after the other.
     */
    public static float[] logits(NDArray[] headHalves, NDArray hidden) {
        NDArray[] parts = SplitMatVec.multiply(headHalves[0], headHalves[1], hidden);
        float[] top = float32(parts[0]).toFloatArray();
        float[] bottom = float32(parts[1]).toFloatArray();
        float[] out = java.util.Arrays.copyOf(top, top.length + bottom.length);
        System.arraycopy(bottom, 0, out, top.length, bottom.length);
        return out;
    }

    private static NDArray float32(NDArray a) {
        return a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
    }

    /** The transpose of a row-major {@code [rows, cols]} matrix, in cache-friendly blocks; the input when cols = 1. */
    static float[] transpose(float[] m, int rows, int cols) {
        if (cols == 1) {
            return m;
        }
        float[] t = new float[m.length];
        int block = 64;
        for (int r0 = 0; r0 < rows; r0 += block) {
            int r1 = Math.min(rows, r0 + block);
            for (int r = r0; r < r1; r++) {
                int from = r * cols;
                for (int c = 0; c < cols; c++) {
                    t[c * rows + r] = m[from + c];
                }
            }
        }
        return t;
    }

    /**
     * Root-mean-square norm over axis 0 of feature-major activations {@code [features, tokens]}, without a gain:
     * {@code x / sqrt(mean(x²) + eps)}, computed in float32 and returned in the dtype of {@code x}.
     */
    public static NDArray rmsNormFeatures(NDArray x, double eps) {
        DataType type = x.getDataType();
        NDArray xf = type == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray normed = xf.mul(xf.square().mean(new int[] {0}, true).addi(eps).powi(-0.5));
        return type == DataType.FLOAT32 ? normed : normed.toType(type, false);
    }

    /** Root-mean-square norm over the last axis: {@code x / sqrt(mean(x²) + eps) · w}, statistics in float32. */
    public static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        return rmsNorm(x, eps).muli(weight);
    }

    /**
     * Root-mean-square norm without a gain, {@code x / sqrt(mean(x²) + eps)}, computed in float32 and returned in the
     * dtype of {@code x} (for norms whose gain is folded into the next projection's weight).
     */
    public static NDArray rmsNorm(NDArray x, double eps) {
        DataType type = x.getDataType();
        NDArray xf = type == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray normed = xf.mul(xf.square().mean(new int[] {-1}, true).addi(eps).powi(-0.5));
        return type == DataType.FLOAT32 ? normed : normed.toType(type, false);
    }

    /** LayerNorm over the last axis with gain and bias. */
    public static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta, double eps) {
        long width = x.getShape().get(x.getShape().dimension() - 1);
        return x.getNDArrayInternal().layerNorm(x, new Shape(width), gamma, beta, (float) eps).singletonOrThrow();
    }

    /**
     * {@code softmax(scores + mask)} over the last axis, computed in float32 whatever the compute dtype, returned in
     * the dtype of {@code scores}. The mask is additive (0 or a large negative finite number), float32, or null for
     * none. Overwrites {@code scores} when they are float32.
     */
    public static NDArray maskedSoftmax(NDArray scores, NDArray mask) {
        DataType type = scores.getDataType();
        NDArray s = type == DataType.FLOAT32 ? scores : scores.toType(DataType.FLOAT32, false);
        NDArray p = (mask == null ? s : s.addi(mask)).softmax(-1);
        return type == DataType.FLOAT32 ? p : p.toType(type, false);
    }

    /** SwiGLU: {@code silu(gate) · up} with {@code silu(g) = g · sigmoid(g)}; the result is a fresh tensor. */
    public static NDArray swiglu(NDArray gate, NDArray up) {
        return gate.getNDArrayInternal().sigmoid().muli(gate).muli(up);
    }

    /**
     * GPT-2's {@code gelu_new} (the tanh approximation): {@code 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))}.
     * Overwrites nothing; the result is a fresh tensor.
     */
    public static NDArray geluTanh(NDArray x) {
        NDArray inner = x.square().muli(x).muli(0.044715).addi(x).muli(Math.sqrt(2.0 / Math.PI));
        return inner.tanh().addi(1.0).muli(x).muli(0.5);
    }

    /** The exact erf-based GELU (HF {@code gelu}). */
    public static NDArray geluExact(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }
}
