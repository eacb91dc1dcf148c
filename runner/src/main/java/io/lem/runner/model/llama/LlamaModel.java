package io.lem.runner.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.lem.runner.engine.BatchDecode;
import io.lem.runner.engine.BatchState;
import io.lem.runner.engine.CountedFlops;
import io.lem.runner.engine.IntraOpThreads;
import io.lem.runner.engine.JavaMatVec;
import io.lem.runner.engine.Ops;
import io.lem.runner.engine.SplitMatVec;
import io.lem.runner.model.CausalLm;
import io.lem.runner.model.ModelInfo;

/**
 * The Llama-family forward pass (Llama 1/2/3, Mistral, Qwen2, TinyLlama, SmolLM): pre-RMSNorm decoder layers with
 * rotary grouped-query attention and a SwiGLU feed-forward block.
 *
 * <h2>Layout</h2>
 * Activations are feature-major, {@code [features, tokens]} with the {@code batch · t} new tokens as columns, so every
 * projection is {@code W · X} with the weight in its checkpoint layout {@code [out, in]}: MKL runs that about twice as
 * fast as {@code X · Wᵀ} for a few dozen tokens on this CPU (see {@link Ops#project}). Norms reduce over axis 0.
 * For attention the {@code heads = kvHeads · groups} queries are arranged {@code [batch, kvHeads, groups·t, headDim]},
 * so the query heads sharing a KV head are one matmul against that head's cached keys (stored transposed,
 * {@code [batch, kvHeads, headDim, length]}): no key/value repetition is materialized.
 *
 * <h2>Op count</h2>
 * Every PyTorch op costs microseconds of dispatch whatever its size, which matters at batch 1: the layer is written to
 * need few of them (fused projections, norm gains folded into the next projection, {@code split} instead of several
 * slices, no mask ops when nothing is masked); about 40 per layer, fewer for a single token (batch-1 decode), whose
 * head layouts are plain reshapes. Batch-1 decode also splits every weight-streaming product by rows over two threads
 * ({@link SplitMatVec}).
 *
 * <h2>Batch-1 decode on the JVM</h2>
 * When the Java matrix-vector products are available ({@link JavaMatVec}: float32 on the CPU, the incubator Vector
 * API module present, no projection biases), a single-token pass keeps its residual stream in a Java array and does
 * the weight-streaming products (fused q|k|v, o, fused gate|up, down, LM head) with the Java kernel, straight from
 * the tensors' memory, together with the elementwise work between them (RMSNorm, RoPE, SwiGLU, residual adds, the
 * embedding row), and attention over the KV cache too, reading and writing the cache tensors' memory
 * ({@link BatchState#cacheBuffers}): no JNI call per layer at all (against ~35 on the DJL path).
 *
 * <h2>Batch decode on the JVM</h2>
 * Under the same conditions, one new token for each of 2-{@value BatchDecode#MAX_BATCH} sequences keeps the residual
 * stream in Java arrays too ({@link LlamaBatchDecode}): only the products go to MKL, one GEMM each, and the rest of
 * the step (norms, RoPE, attention over the cache's memory, SwiGLU, residual adds) is Java.
 * {@code -Dlem.engine.java-batch=false} turns it off ({@link BatchDecode}).
 */
public final class LlamaModel implements CausalLm {

    private final LlamaConfiguration config;
    private final LlamaWeights weights;
    private final RotaryTables rope;
    private final NDManager manager;
    private final DataType dtype;
    private final ModelInfo info;
    /** Row halves (views) of every projection, per layer: qkv, output, gate|up (split into gate and up), down. */
    private final List<NDArray[][]> halves = new ArrayList<>();
    private final NDArray[] lmHeadHalves;
    /** The Java single-token path's matrices per layer (qkv, output, gateUp, down), or null when it is unavailable. */
    private final JavaMatVec.Matrix[][] javaLayers;
    private final JavaMatVec.Matrix javaHead;
    private final JavaMatVec.Matrix javaEmbedding;
    private final float[] finalNormGain;
    /** Batch decode on the JVM ({@link LlamaBatchDecode}), or null when the Java products are unavailable. */
    private final LlamaBatchDecode batchDecode;

    LlamaModel(LlamaConfiguration config, LlamaWeights weights, RotaryTables rope, NDManager manager, DataType dtype,
            ModelInfo info) {
        this.config = config;
        this.weights = weights;
        this.rope = rope;
        this.manager = manager;
        this.dtype = dtype;
        this.info = info;
        for (LlamaWeights.Layer layer : weights.layers()) {
            halves.add(new NDArray[][] {half(layer.qkv()), half(layer.output()),
                    SplitMatVec.halves(layer.gateUp(), config.intermediateSize()), half(layer.down())});
        }
        this.lmHeadHalves = half(weights.lmHead());
        JavaMatVec.Matrix[][] java = dtype == DataType.FLOAT32 && JavaMatVec.available()
                ? new JavaMatVec.Matrix[weights.layers().size()][] : null;
        for (int l = 0; java != null && l < java.length; l++) {
            LlamaWeights.Layer layer = weights.layers().get(l);
            JavaMatVec.Matrix[] m = {JavaMatVec.of(layer.qkv()), JavaMatVec.of(layer.output()),
                    JavaMatVec.of(layer.gateUp()), JavaMatVec.of(layer.down())};
            boolean biased = layer.qkvBias() != null || layer.outputBias() != null || layer.gateUpBias() != null
                    || layer.downBias() != null;
            java[l] = m;
            if (biased || Arrays.asList(m).contains(null)) {
                java = null;
            }
        }
        JavaMatVec.Matrix head = java == null ? null : JavaMatVec.of(weights.lmHead());
        JavaMatVec.Matrix embedding = java == null ? null : JavaMatVec.of(weights.embedding());
        boolean ok = head != null && embedding != null && weights.finalNorm().getDataType() == DataType.FLOAT32;
        this.javaLayers = ok ? java : null;
        this.javaHead = ok ? head : null;
        this.javaEmbedding = ok ? embedding : null;
        this.finalNormGain = ok ? weights.finalNorm().toFloatArray() : null;
        this.batchDecode = ok ? new LlamaBatchDecode(config, weights, rope, embedding, finalNormGain) : null;
    }

    private static NDArray[] half(NDArray w) {
        return SplitMatVec.halves(w, w.getShape().get(0) / 2);
    }

    public LlamaConfiguration configuration() {
        return config;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public BatchState newState(int[] padding, int capacity) {
        return new BatchState(manager, dtype, config.numLayers(), config.numKvHeads(), config.headDim(), padding,
                capacity);
    }

    @Override
    public float[] forward(BatchState state, int[] tokens, int t) {
        int b = state.batchSize();
        state.checkInput(tokens, t);
        if (b * t == 1 && javaLayers != null && JavaMatVec.active()) {
            return forwardSingle(state, tokens[0]);
        }
        if (t == 1 && b > 1 && batchDecode != null && BatchDecode.active(b) && state.sequenceCacheBuffers(0) != null) {
            float[] logits = batchDecode.forward(state, tokens);
            count(state.flops(), b, 1, state.length() + 1);
            state.advance(1);
            return logits;
        }
        int n = b * t;
        int hidden = config.hiddenSize();
        int half = config.headDim() / 2;
        int keys = state.length() + t;
        IntraOpThreads.forTokens(b * t);
        try (NDManager step = state.newStep()) {
            // token embeddings, feature-major [hidden, b·t] (token b·t + i is sequence b's i-th new token)
            NDArray ids = step.create(toLongs(tokens), new Shape(n));
            NDArray x = lookup(ids, weights.embedding()).transpose().flatten().reshape(hidden, n);

            // RoPE tables at every token's own position [1, 2, headDim/2, b·t] (broadcast over heads)
            rope.ensure(state.maxPosition(t) + 1);
            NDArray positions = state.positionIds(step, t).reshape(n);
            NDArray cos = lookup(positions, rope.cos()).transpose().reshape(1, 2, half, n);
            NDArray sin = lookup(positions, rope.sinSigned()).transpose().reshape(1, 2, half, n);

            // additive mask (pads, future, sliding window) [b, 1, 1, t, keys], broadcast over KV heads and groups;
            // null when nothing is masked (a decode step of an unpadded batch)
            NDArray mask = state.attentionMask(step, t, config.slidingWindow());
            if (mask != null) {
                mask = mask.reshape(b, 1, 1, t, keys);
            }

            for (int l = 0; l < config.numLayers(); l++) {
                // the layer's intermediates live in their own scope, freed when the layer is done (x stays)
                try (NDManager scope = step.newSubManager()) {
                    scope.tempAttachAll(x);
                    layer(state, scope, weights.layers().get(l), l, x, cos, sin, mask, t);
                }
            }

            // final norm and LM head, for the last column of each sequence only (left padding: every sequence's
            // newest token) [hidden, b]
            NDArray last = t == 1 ? x : x.reshape(hidden, b, t).get(new NDIndex().addAllDim(2).addIndices(t - 1));
            NDArray normed = Ops.rmsNormFeatures(last, config.rmsNormEps()).muli(weights.finalNorm());
            float[] out = split(b * t) ? Ops.logits(lmHeadHalves, normed) : Ops.logits(weights.lmHead(), normed);
            count(state.flops(), b, t, keys);
            state.advance(t);
            return out;
        }
    }

    /** One decoder layer over {@code t} new tokens; updates the residual stream {@code x} in place. */
    private void layer(BatchState state, NDManager scope, LlamaWeights.Layer layer, int l, NDArray x, NDArray cos,
            NDArray sin, NDArray mask, int t) {
        int b = state.batchSize();
        int n = b * t;
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int groups = config.kvGroups();
        int headDim = config.headDim();
        int half = headDim / 2;
        int keys = state.length() + t;
        double eps = config.rmsNormEps();

        // q, k, v for the new tokens: one fused projection of the normalized input (norm gain folded in)
        NDArray h = Ops.rmsNormFeatures(x, eps);
        // [heads + 2·kvHeads, 2, headDim/2, b·t]: the halves RoPE swaps are axis 1; later reshapes regroup the
        // contiguous rows, so no reshape back to [.., headDim, ..] is needed in between
        NDArray[][] parts = halves.get(l);
        boolean split = split(n);
        NDList qkv = project(layer.qkv(), parts[0], h, layer.qkvBias(), split).reshape(heads + 2 * kvHeads, 2, half, n)
                .split(new long[] {heads + kvHeads}, 0);

        // rotate q and k heads together: x·cos + rotate_half(x)·sin
        NDArray qk = qkv.get(0);
        NDList rotated = qk.mul(cos).addi(qk.flip(1).muli(sin)).split(new long[] {heads}, 0);

        // one token of one sequence (batch-1 decode): [b, kvHeads, ...] layouts are plain reshapes of the
        // projection's rows, so the transposes of the general path (a JNI call each) are skipped
        boolean single = n == 1;

        // keys [b, kvHeads, headDim, t] (transposed) and values [b, kvHeads, t, headDim] into the cache
        NDArray[] cached = state.append(scope, l,
                single ? rotated.get(1).reshape(1, kvHeads, headDim, 1)
                        : rotated.get(1).reshape(kvHeads, headDim, b, t).transpose(2, 0, 1, 3),
                single ? qkv.get(1).reshape(1, kvHeads, 1, headDim)
                        : qkv.get(1).reshape(kvHeads, headDim, b, t).transpose(2, 0, 3, 1));

        // queries grouped per KV head [b, kvHeads, groups·t, headDim]
        NDArray q = single ? rotated.get(0).reshape(1, kvHeads, groups, headDim)
                : rotated.get(0).reshape(kvHeads, groups, headDim, b, t).transpose(3, 0, 1, 4, 2)
                        .reshape(b, kvHeads, groups * t, headDim);

        // softmax(q·kᵀ + mask)·v over every filled column (1/√headDim is folded into the q projection)
        NDArray scores = q.matMul(cached[0]);
        NDArray probs = mask == null ? Ops.maskedSoftmax(scores, null)
                : Ops.maskedSoftmax(scores.reshape(b, kvHeads, groups, t, keys), mask)
                        .reshape(b, kvHeads, groups * t, keys);

        // heads back to feature-major [heads·headDim, b·t], output projection and residual
        NDArray context = probs.matMul(cached[1]);
        NDArray attention = single ? context.reshape(heads * headDim, 1)
                : context.reshape(b, kvHeads, groups, t, headDim).transpose(1, 2, 4, 0, 3).reshape(heads * headDim, n);
        x.addi(project(layer.output(), parts[1], attention, layer.outputBias(), split));

        // feed-forward: down(silu(gate(h)) · up(h)) from one fused gate|up projection, and residual
        NDArray normed = Ops.rmsNormFeatures(x, eps);
        NDArray[] gateUp = split && layer.gateUpBias() == null
                ? SplitMatVec.multiply(parts[2][0], parts[2][1], normed)
                : Ops.project(layer.gateUp(), normed, layer.gateUpBias())
                        .split(new long[] {config.intermediateSize()}, 0).toArray(new NDArray[0]);
        x.addi(project(layer.down(), parts[3], Ops.swiglu(gateUp[0], gateUp[1]), layer.downBias(), split));
    }

    /**
     * One new token of one sequence with the products on the JVM ({@link JavaMatVec}); attention over the cache in
     * PyTorch. Same result as the general path up to float32 rounding (summation order).
     */
    private float[] forwardSingle(BatchState state, int token) {
        int hidden = config.hiddenSize();
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int groups = config.kvGroups();
        int headDim = config.headDim();
        int inter = config.intermediateSize();
        int qEnd = heads * headDim;
        int kEnd = qEnd + kvHeads * headDim;
        int vEnd = kEnd + kvHeads * headDim;
        int keys = state.length() + 1;
        float eps = (float) config.rmsNormEps();
        IntraOpThreads.forTokens(1);

        Scratch scratch = state.scratch() instanceof Scratch s ? s : null;
        if (scratch == null) {
            scratch = new Scratch(hidden, inter, vEnd, qEnd, state.capacity(), javaHead.rows());
            state.scratch(scratch);
        }
        float[] x = scratch.x;
        javaEmbedding.row(token, x);
        int position = state.maxPosition(1);
        rope.ensure(position + 1);
        float[] cosRows = rope.cosRows();
        float[] sinRows = rope.sinSignedRows();
        int ropeAt = position * headDim;

        float[] h = scratch.h;
        float[] qkv = scratch.qkv;
        float[] out = scratch.out;
        float[] gateUp = scratch.gateUp;
        int column = state.length();
        int window = config.slidingWindow();
        int from = Math.max(state.padding(0), window > 0 ? column - window + 1 : 0);
        float[] context = scratch.context;
        // a step manager only for attention as PyTorch ops (the JVM attention needs none)
        NDManager step = null;
        try {
            NDArray mask = null;
            for (int l = 0; l < config.numLayers(); l++) {
                JavaMatVec.Matrix[] m = javaLayers[l];
                rmsNorm(x, hidden, eps, h);
                m[0].multiply(h, qkv);
                rotate(qkv, heads + kvHeads, headDim, cosRows, sinRows, ropeAt);
                ByteBuffer[] cache = JavaMatVec.attentionOnJvm() ? state.cacheBuffers(l) : null;
                if (cache != null) {
                    // the cache's own memory: new key and value written, attention computed on the JVM
                    JavaMatVec.attend(qkv, heads, kvHeads, headDim, cache, state.capacity(), from, column, context,
                            scratch.scores, scratch.workerScores);
                } else {
                    if (step == null) {
                        step = state.newStep();
                    }
                    if (mask == null) {
                        mask = state.attentionMask(step, 1, window);
                        mask = mask == null ? null : mask.reshape(1, 1, 1, 1, keys);
                    }
                    try (NDManager scope = step.newSubManager()) {
                        NDArray[] cached = state.append(scope, l,
                                scope.create(Arrays.copyOfRange(qkv, qEnd, kEnd), new Shape(1, kvHeads, headDim, 1)),
                                scope.create(Arrays.copyOfRange(qkv, kEnd, vEnd), new Shape(1, kvHeads, 1, headDim)));
                        NDArray q = scope.create(Arrays.copyOf(qkv, qEnd), new Shape(1, kvHeads, groups, headDim));
                        NDArray scores = q.matMul(cached[0]);
                        NDArray probs = mask == null ? Ops.maskedSoftmax(scores, null)
                                : Ops.maskedSoftmax(scores.reshape(1, kvHeads, groups, 1, keys), mask)
                                        .reshape(1, kvHeads, groups, keys);
                        System.arraycopy(probs.matMul(cached[1]).toFloatArray(), 0, context, 0, qEnd);
                    }
                }
                m[1].multiply(context, out);
                addTo(x, out, hidden);
                rmsNorm(x, hidden, eps, h);
                m[2].multiply(h, gateUp);
                JavaMatVec.swiglu(gateUp, inter, h);
                m[3].multiply(h, out);
                addTo(x, out, hidden);
            }
        } finally {
            if (step != null) {
                step.close();
            }
        }
        rmsNorm(x, hidden, eps, h);
        for (int i = 0; i < hidden; i++) {
            h[i] *= finalNormGain[i];
        }
        float[] logits = state.reusesLogits() ? scratch.logits : new float[javaHead.rows()];
        javaHead.multiply(h, logits);
        count(state.flops(), 1, 1, keys);
        state.advance(1);
        return logits;
    }

    /** The single-token path's arrays, kept with the batch ({@link BatchState#scratch()}) across its steps. */
    private static final class Scratch {
        final float[] x;
        final float[] h;
        final float[] qkv;
        final float[] out;
        final float[] gateUp;
        final float[] context;
        final float[] scores;
        final float[] workerScores;
        final float[] logits;

        Scratch(int hidden, int inter, int qkv, int q, int capacity, int vocab) {
            this.x = new float[hidden];
            this.h = new float[Math.max(hidden, inter)];
            this.qkv = new float[qkv];
            this.out = new float[hidden];
            this.gateUp = new float[2 * inter];
            this.context = new float[q];
            // room for a whole vector past the last column (VectorKernels.attendHeads)
            this.scores = new float[capacity + 64];
            this.workerScores = new float[capacity + 64];
            this.logits = new float[vocab];
        }
    }

    /** {@code out[0, n) = x / sqrt(mean(x²) + eps)} (no gain: folded into the next projection). */
    private static void rmsNorm(float[] x, int n, float eps, float[] out) {
        double squares = 0;
        for (int i = 0; i < n; i++) {
            squares += (double) x[i] * x[i];
        }
        float scale = (float) (1.0 / Math.sqrt((float) (squares / n) + eps));
        for (int i = 0; i < n; i++) {
            out[i] = x[i] * scale;
        }
    }

    /** {@code x[0, n) += y[0, n)}: the residual add of both Java paths. */
    static void addTo(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += y[i];
        }
    }

    /**
     * RoPE in place on the first {@code count} heads of {@code v} ({@code [count, headDim]}):
     * {@code x·cos + rotate_half(x)·sin}, the signed sine table carrying rotate_half's sign.
     */
    private static void rotate(float[] v, int count, int headDim, float[] cos, float[] sinSigned, int at) {
        int half = headDim / 2;
        for (int head = 0; head < count; head++) {
            int o = head * headDim;
            for (int i = 0; i < half; i++) {
                float a = v[o + i];
                float b = v[o + half + i];
                v[o + i] = a * cos[at + i] + b * sinSigned[at + i];
                v[o + half + i] = b * cos[at + half + i] + a * sinSigned[at + half + i];
            }
        }
    }

    /** Whether a pass over {@code tokens} new tokens splits its products over two threads. */
    private static boolean split(int tokens) {
        return tokens == 1 && SplitMatVec.active();
    }

    /** {@code w · x (+ bias)}, as two concurrent row halves when {@code split} (and there is no bias). */
    private static NDArray project(NDArray w, NDArray[] halves, NDArray x, NDArray bias, boolean split) {
        if (!split || bias != null) {
            return Ops.project(w, x, bias);
        }
        NDArray[] rows = SplitMatVec.multiply(halves[0], halves[1], x);
        return rows[0].concat(rows[1], 0);
    }

    private void count(CountedFlops flops, long b, long t, long keys) {
        long hidden = config.hiddenSize();
        long q = (long) config.numHeads() * config.headDim();
        long kv = (long) config.numKvHeads() * config.headDim();
        long layers = config.numLayers();
        flops.attentionLinear(layers * b * t * (hidden * (q + 2 * kv) + q * hidden));
        flops.attentionScores(layers * 2 * b * config.numHeads() * t * keys * config.headDim());
        flops.mlp(layers * b * t * 3 * hidden * config.intermediateSize());
        flops.lmHead(b * hidden * config.vocabSize());
    }

    private static NDArray lookup(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    static long[] toLongs(int[] ints) {
        long[] l = new long[ints.length];
        for (int i = 0; i < ints.length; i++) {
            l[i] = ints[i];
        }
        return l;
    }
}
