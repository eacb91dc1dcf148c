package io.lem.runner.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.lem.runner.engine.BatchState;
import io.lem.runner.engine.CountedFlops;
import io.lem.runner.engine.IntraOpThreads;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.Ops;
import io.lem.runner.model.CausalLm;
import io.lem.runner.model.ModelInfo;

/**
 * The GPT-2 forward pass: learned token and position embeddings, pre-LayerNorm blocks of multi-head attention and a
 * GELU MLP, a final LayerNorm and the (tied) LM head.
 */
public final class Gpt2Model implements CausalLm {

    private final Gpt2Configuration config;
    private final Gpt2Weights weights;
    private final NDManager manager;
    private final DataType dtype;
    private final ModelInfo info;

    Gpt2Model(Gpt2Configuration config, Gpt2Weights weights, NDManager manager, DataType dtype, ModelInfo info) {
        this.config = config;
        this.weights = weights;
        this.manager = manager;
        this.dtype = dtype;
        this.info = info;
    }

    public Gpt2Configuration configuration() {
        return config;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public BatchState newState(int[] padding, int capacity) {
        return new BatchState(manager, dtype, config.numLayers(), config.numHeads(), config.headDim(), padding,
                capacity);
    }

    @Override
    public float[] forward(BatchState state, int[] tokens, int t) {
        int b = state.batchSize();
        state.checkInput(tokens, t);
        if (state.maxPosition(t) >= config.maxPositions()) {
            throw new EngineException("gpt2: position " + state.maxPosition(t) + " is beyond n_positions "
                    + config.maxPositions() + " (prompt plus generated tokens must fit)");
        }
        int hidden = config.hiddenSize();
        int keys = state.length() + t;
        double eps = config.layerNormEps();
        IntraOpThreads.forTokens(b * t);
        try (NDManager step = state.newStep()) {
            // token plus learned position embeddings [b, t, hidden]
            NDArray ids = step.create(toLongs(tokens), new Shape(b, t));
            NDArray x = lookup(ids, weights.tokenEmbedding())
                    .addi(lookup(state.positionIds(step, t), weights.positionEmbedding()));

            // additive mask (pads, future) [b, 1, t, keys], broadcast over heads
            NDArray mask = state.attentionMask(step, t, 0);

            for (int l = 0; l < config.numLayers(); l++) {
                // the layer's intermediates live in their own scope, freed when the layer is done (x stays)
                try (NDManager scope = step.newSubManager()) {
                    scope.tempAttachAll(x);
                    layer(state, scope, weights.layers().get(l), l, x, mask, t);
                }
            }

            // final LayerNorm and LM head, for the last column only (left padding: every sequence's newest token)
            NDArray last = t == 1 ? x.reshape(b, hidden) : x.get(new NDIndex().addAllDim().addIndices(t - 1));
            float[] out = Ops.logits(weights.lmHead(),
                    Ops.layerNorm(last, weights.finalNormGain(), weights.finalNormBias(), eps).transpose());
            count(state.flops(), b, t, keys);
            state.advance(t);
            return out;
        }
    }

    /** One block over {@code t} new tokens; updates the residual stream {@code x} in place. */
    private void layer(BatchState state, NDManager scope, Gpt2Weights.Layer layer, int l, NDArray x, NDArray mask,
            int t) {
        int b = state.batchSize();
        int heads = config.numHeads();
        int headDim = config.headDim();
        int hidden = config.hiddenSize();
        double eps = config.layerNormEps();

        // q, k, v [b, heads, t, headDim] from one projection of the normalized input
        NDArray h = Ops.layerNorm(x, layer.norm1Gain(), layer.norm1Bias(), eps);
        NDArray qkv = Ops.linear(h, layer.qkv(), layer.qkvBias()).reshape(b, t, 3, heads, headDim);
        NDArray q = qkv.get(new NDIndex().addAllDim(2).addIndices(0)).transpose(0, 2, 1, 3);
        NDArray kT = qkv.get(new NDIndex().addAllDim(2).addIndices(1)).transpose(0, 2, 3, 1);
        NDArray v = qkv.get(new NDIndex().addAllDim(2).addIndices(2)).transpose(0, 2, 1, 3);

        // append to the KV cache (keys transposed); attend over every filled column
        NDArray[] cached = state.append(scope, l, kT, v);

        // softmax(q·kᵀ + mask)·v  (the score scale is folded into the q projection)
        NDArray scores = q.matMul(cached[0]);
        NDArray attention = Ops.maskedSoftmax(scores, mask).matMul(cached[1])
                .transpose(0, 2, 1, 3).reshape(b, t, hidden);

        // output projection and residual
        x.addi(Ops.linear(attention, layer.output(), layer.outputBias()));

        // MLP: c_proj(gelu(c_fc(ln_2(x)))) and residual
        h = Ops.layerNorm(x, layer.norm2Gain(), layer.norm2Bias(), eps);
        NDArray up = Ops.linear(h, layer.up(), layer.upBias());
        NDArray act = config.tanhGelu() ? Ops.geluTanh(up) : Ops.geluExact(up);
        x.addi(Ops.linear(act, layer.down(), layer.downBias()));
    }

    private void count(CountedFlops flops, long b, long t, long keys) {
        long hidden = config.hiddenSize();
        long layers = config.numLayers();
        flops.attentionLinear(layers * b * t * 4 * hidden * hidden);
        flops.attentionScores(layers * 2 * b * config.numHeads() * t * keys * config.headDim());
        flops.mlp(layers * b * t * 2 * hidden * config.innerSize());
        flops.lmHead(b * hidden * config.vocabSize());
    }

    private static NDArray lookup(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    private static long[] toLongs(int[] ints) {
        long[] l = new long[ints.length];
        for (int i = 0; i < ints.length; i++) {
            l[i] = ints[i];
        }
        return l;
    }
}
