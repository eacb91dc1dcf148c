package io.lem.runner.model.llama;

import io.lem.runner.engine.BatchDecode;
import io.lem.runner.engine.BatchProducts;
import io.lem.runner.engine.BatchState;
import io.lem.runner.engine.IntraOpThreads;
import io.lem.runner.engine.JavaMatVec;

/**
 * One new token for each sequence of a batch (batch decode) with the residual stream on the JVM: the products
 * (fused q|k|v, o, fused gate|up, down, LM head) are MKL GEMMs {@code W · X} against the batch's feature-major
 * activations ({@link BatchProducts}: one matmul each), and everything between them is Java: RMSNorm, RoPE at each
 * sequence's own position, attention of each sequence over its slice of the KV cache's memory from its first real
 * column (left padding) or the sliding window's start ({@link BatchDecode#attend}), SwiGLU and the residual adds.
 * The DJL path issues ~40 PyTorch ops per layer for the same step, each a JNI call and an OpenMP fork/join.
 *
 * <p>Activations are {@code [features, batch]} row-major arrays (feature-major, as the GEMMs take and give them);
 * attention transposes q|k|v to one row per sequence and its context back. Same result as the DJL path up to float32
 * rounding (summation order).
 */
final class LlamaBatchDecode {

    private final LlamaConfiguration config;
    private final LlamaWeights weights;
    private final RotaryTables rope;
    private final JavaMatVec.Matrix embedding;
    private final float[] finalNormGain;

    LlamaBatchDecode(LlamaConfiguration config, LlamaWeights weights, RotaryTables rope, JavaMatVec.Matrix embedding,
            float[] finalNormGain) {
        this.config = config;
        this.weights = weights;
        this.rope = rope;
        this.embedding = embedding;
        this.finalNormGain = finalNormGain;
    }

    /** Logits {@code [batch, vocab]} row-major for {@code tokens} (one per sequence); advances nothing. */
    float[] forward(BatchState state, int[] tokens) {
        int b = state.batchSize();
        int hidden = config.hiddenSize();
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int headDim = config.headDim();
        int inter = config.intermediateSize();
        int qEnd = heads * headDim;
        int vEnd = qEnd + 2 * kvHeads * headDim;
        int vocab = (int) weights.lmHead().getShape().get(0);
        float eps = (float) config.rmsNormEps();
        IntraOpThreads.forTokens(b);

        Scratch sc = state.scratch() instanceof Scratch s ? s : null;
        if (sc == null) {
            sc = new Scratch(state, hidden, inter, vEnd, qEnd, headDim, vocab);
            state.scratch(sc);
        }
        float[] x = sc.x;
        for (int s = 0; s < b; s++) {
            embedding.row(tokens[s], sc.row);
            for (int f = 0; f < hidden; f++) {
                x[f * b + s] = sc.row[f];
            }
        }

        // every sequence's position and first visible column (left padding, sliding window), and its RoPE angles
        // [headDim, batch], the same in every layer
        int column = state.length();
        int window = config.slidingWindow();
        rope.ensure(state.maxPosition(1) + 1);
        float[] cosRows = rope.cosRows();
        float[] sinRows = rope.sinSignedRows();
        for (int s = 0; s < b; s++) {
            int position = Math.max(0, column - state.padding(s));
            sc.from[s] = Math.max(state.padding(s), window > 0 ? column - window + 1 : 0);
            for (int d = 0; d < headDim; d++) {
                sc.cos[d * b + s] = cosRows[position * headDim + d];
                sc.sin[d * b + s] = sinRows[position * headDim + d];
            }
        }

        float[] h = sc.h;
        float[] qkv = sc.qkv;
        float[] out = sc.out;
        for (int l = 0; l < config.numLayers(); l++) {
            LlamaWeights.Layer layer = weights.layers().get(l);
            rmsNorm(x, hidden, b, eps, h, sc.scale);
            sc.products.multiply(layer.qkv(), h, qkv);
            rotate(qkv, heads + kvHeads, headDim, b, sc.cos, sc.sin);
            for (int r = 0; r < vEnd; r++) {
                for (int s = 0; s < b; s++) {
                    sc.rows[s][r] = qkv[r * b + s];
                }
            }
            BatchDecode.attend(sc.rows, heads, kvHeads, headDim, state.sequenceCacheBuffers(l), state.capacity(),
                    sc.from, column, sc.context, sc.scores, sc.workerScores);
            for (int s = 0; s < b; s++) {
                float[] c = sc.context[s];
                for (int r = 0; r < qEnd; r++) {
                    h[r * b + s] = c[r];
                }
            }
            sc.products.multiply(layer.output(), h, out);
            LlamaModel.addTo(x, out, hidden * b);
            rmsNorm(x, hidden, b, eps, h, sc.scale);
            sc.products.multiply(layer.gateUp(), h, sc.gateUp);
            // gate rows [0, inter) then up rows [inter, 2·inter), each a row of the batch: one flat SwiGLU
            JavaMatVec.swiglu(sc.gateUp, inter * b, h);
            sc.products.multiply(layer.down(), h, out);
            LlamaModel.addTo(x, out, hidden * b);
        }

        rmsNorm(x, hidden, b, eps, h, sc.scale);
        for (int f = 0; f < hidden; f++) {
            float g = finalNormGain[f];
            for (int s = 0; s < b; s++) {
                h[f * b + s] *= g;
            }
        }
        sc.products.multiply(weights.lmHead(), h, sc.byVocab);
        float[] logits = state.reusesLogits() ? sc.logits : new float[b * vocab];
        transpose(sc.byVocab, vocab, b, logits);
        return logits;
    }

    /** The batch path's arrays, kept with the batch ({@link BatchState#scratch()}) across its steps. */
    private static final class Scratch {
        final BatchProducts products;
        final float[] x;
        final float[] h;
        final float[] qkv;
        final float[] out;
        final float[] gateUp;
        final float[] row;
        final float[] scale;
        final float[] cos;
        final float[] sin;
        final int[] from;
        final float[][] rows;
        final float[][] context;
        final float[] scores;
        final float[] workerScores;
        final float[] byVocab;
        final float[] logits;

        Scratch(BatchState state, int hidden, int inter, int qkv, int q, int headDim, int vocab) {
            int b = state.batchSize();
            this.products = new BatchProducts(state.manager(), b);
            this.x = new float[hidden * b];
            this.h = new float[Math.max(Math.max(hidden, inter), q) * b];
            this.qkv = new float[qkv * b];
            this.out = new float[hidden * b];
            this.gateUp = new float[2 * inter * b];
            this.row = new float[hidden];
            this.scale = new float[b];
            this.cos = new float[headDim * b];
            this.sin = new float[headDim * b];
            this.from = new int[b];
            this.rows = new float[b][qkv];
            this.context = new float[b][q];
            this.scores = new float[BatchDecode.scratchLength(state.capacity())];
            this.workerScores = new float[BatchDecode.scratchLength(state.capacity())];
            this.byVocab = new float[vocab * b];
            this.logits = new float[vocab * b];
        }
    }

    /** {@code out = x / sqrt(mean(x²) + eps)} per column of {@code x [n, b]} (no gain: folded into the next product). */
    private static void rmsNorm(float[] x, int n, int b, float eps, float[] out, float[] scale) {
        java.util.Arrays.fill(scale, 0, b, 0f);
        for (int f = 0; f < n; f++) {
            int o = f * b;
            for (int s = 0; s < b; s++) {
                scale[s] += x[o + s] * x[o + s];
            }
        }
        for (int s = 0; s < b; s++) {
            scale[s] = (float) (1.0 / Math.sqrt(scale[s] / n + eps));
        }
        for (int f = 0; f < n; f++) {
            int o = f * b;
            for (int s = 0; s < b; s++) {
                out[o + s] = x[o + s] * scale[s];
            }
        }
    }

    /**
     * RoPE in place on the first {@code count} heads of {@code v [count · headDim, b]}, each column at its own angles
     * ({@code cos}, {@code sin} {@code [headDim, b]}, the sine signed for rotate_half).
     */
    private static void rotate(float[] v, int count, int headDim, int b, float[] cos, float[] sin) {
        int half = headDim / 2;
        for (int head = 0; head < count; head++) {
            for (int i = 0; i < half; i++) {
                int lo = (head * headDim + i) * b;
                int hi = lo + half * b;
                int cl = i * b;
                int ch = (half + i) * b;
                for (int s = 0; s < b; s++) {
                    float a = v[lo + s];
                    float c = v[hi + s];
                    v[lo + s] = a * cos[cl + s] + c * sin[cl + s];
                    v[hi + s] = c * cos[ch + s] + a * sin[ch + s];
                }
            }
        }
    }

    /** {@code out [cols, rows] = m [rows, cols]ᵀ}, in blocks of rows (the logits back to one row per sequence). */
    private static void transpose(float[] m, int rows, int cols, float[] out) {
        int block = 256;
        for (int r0 = 0; r0 < rows; r0 += block) {
            int r1 = Math.min(rows, r0 + block);
            for (int c = 0; c < cols; c++) {
                int o = c * rows;
                for (int r = r0; r < r1; r++) {
                    out[o + r] = m[r * cols + c];
                }
            }
        }
    }
}
