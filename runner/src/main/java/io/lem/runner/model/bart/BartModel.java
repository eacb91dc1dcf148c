package io.lem.runner.model.bart;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.lem.runner.engine.BatchState;
import io.lem.runner.engine.CountedFlops;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.IntraOpThreads;
import io.lem.runner.engine.Ops;
import io.lem.runner.engine.Seq2SeqState;
import io.lem.runner.model.ModelInfo;
import io.lem.runner.model.Seq2SeqLm;

/**
 * The BART forward pass: token embeddings (× √d_model when {@code scale_embedding}) plus learned positions (offset
 * 2), a LayerNorm of the embeddings, post-LayerNorm layers ({@code x = norm(x + sublayer(x))}) of multi-head attention
 * with biases and scores scaled by {@code head_dim^-0.5}, the decoder's cross-attention over the encoder output, and a
 * GELU feed-forward; the LM head is the shared embedding plus {@code final_logits_bias}.
 *
 * <p>Activations are row-major {@code [batch, tokens, d_model]}; attention works on {@code [batch, heads, tokens,
 * head_dim]} with keys transposed, as in the KV cache.
 */
public final class BartModel implements Seq2SeqLm {

    private final BartConfiguration config;
    private final BartWeights weights;
    private final NDManager manager;
    private final DataType dtype;
    private final ModelInfo info;

    BartModel(BartConfiguration config, BartWeights weights, NDManager manager, DataType dtype, ModelInfo info) {
        this.config = config;
        this.weights = weights;
        this.manager = manager;
        this.dtype = dtype;
        this.info = info;
    }

    public BartConfiguration configuration() {
        return config;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public int decoderStartTokenId() {
        return config.decoderStartTokenId();
    }

    @Override
    public int forcedBosTokenId() {
        return config.forcedBosTokenId();
    }

    @Override
    public int forcedEosTokenId() {
        return config.forcedEosTokenId();
    }

    @Override
    public Seq2SeqState encode(int[] tokens, int[] lengths, int width, int decoderCapacity) {
        Seq2SeqState.checkSource(tokens, lengths, width);
        int b = lengths.length;
        if (width > config.maxPositions()) {
            throw new EngineException("bart: an input of " + width + " tokens is beyond max_position_embeddings "
                    + config.maxPositions() + "; lower max_input_tokens");
        }
        if (decoderCapacity > config.maxPositions()) {
            throw new EngineException("bart: " + decoderCapacity + " decoder tokens are beyond "
                    + "max_position_embeddings " + config.maxPositions() + "; lower max_output_tokens");
        }
        Seq2SeqState state = new Seq2SeqState(manager, dtype, config.decoderLayers(), config.decoderHeads(),
                config.decoderHeadDim(), lengths, width, decoderCapacity);
        int heads = config.encoderHeads();
        int headDim = config.encoderHeadDim();
        IntraOpThreads.forTokens(b * width);
        try (NDManager step = state.manager().newSubManager()) {
            // embeddings: tokens (scaled) plus learned positions 0..S-1 (right padding: column = position)
            NDArray x = embed(step, tokens, b, width, 0, weights.encoderPositions(), weights.encoderEmbedNorm());

            // key mask of the pad columns [b, 1, 1, S] (null when nothing is padded)
            NDArray mask = state.sourceMask(step);

            // encoder layers: x = norm(x + selfAttn(x)); x = norm(x + ffn(x))
            for (BartWeights.Layer layer : weights.encoder()) {
                try (NDManager scope = step.newSubManager()) {
                    scope.tempAttachAll(x);
                    NDArray[] kv = keysValues(x, layer.self(), b, width, heads, headDim);
                    NDArray h = residualNorm(x, attend(x, layer.self(), kv[0], kv[1], mask, b, width, heads,
                            headDim), layer.self().norm());
                    h = residualNorm(h, feedForward(h, layer, config.encoderFfn()), layer.finalNorm());
                    h.attach(step);
                    x = h;
                }
            }

            // every decoder layer's cross-attention keys and values, once per batch
            for (int l = 0; l < config.decoderLayers(); l++) {
                NDArray[] kv = keysValues(x, weights.decoder().get(l).cross(), b, width, config.decoderHeads(),
                        config.decoderHeadDim());
                state.setCross(l, kv[0], kv[1]);
            }
            countEncoder(state.flops(), b, width);
            return state;
        } catch (RuntimeException | Error e) {
            state.close();
            throw e;
        }
    }

    @Override
    public float[] decode(Seq2SeqState state, int[] tokens, int t) {
        BatchState self = state.decoder();
        self.checkInput(tokens, t);
        int b = self.batchSize();
        int d = config.dModel();
        int heads = config.decoderHeads();
        int headDim = config.decoderHeadDim();
        int keys = self.length() + t;
        IntraOpThreads.forTokens(b * t);
        try (NDManager step = self.newStep()) {
            // embeddings at positions length..length+t-1 (every decoder sequence starts at column 0)
            NDArray x = embed(step, tokens, b, t, self.length(), weights.decoderPositions(),
                    weights.decoderEmbedNorm());

            // causal mask of the new columns (null for one new token); the encoder's pad mask for cross-attention
            NDArray causal = self.attentionMask(step, t, 0);
            NDArray crossMask = state.sourceMask(step);

            for (int l = 0; l < config.decoderLayers(); l++) {
                BartWeights.Layer layer = weights.decoder().get(l);
                try (NDManager scope = step.newSubManager()) {
                    scope.tempAttachAll(x);
                    // self-attention over the cache plus the new columns
                    NDArray[] kv = keysValues(x, layer.self(), b, t, heads, headDim);
                    NDArray[] cached = self.append(scope, l, kv[0], kv[1]);
                    NDArray h = residualNorm(x, attend(x, layer.self(), cached[0], cached[1], causal, b, t, heads,
                            headDim), layer.self().norm());

                    // cross-attention over the encoder output
                    h = residualNorm(h, attend(h, layer.cross(), state.crossKeys(l), state.crossValues(l),
                            crossMask, b, t, heads, headDim), layer.cross().norm());

                    // feed-forward
                    h = residualNorm(h, feedForward(h, layer, config.decoderFfn()), layer.finalNorm());
                    h.attach(step);
                    x = h;
                }
            }

            // LM head (the shared embedding) plus final_logits_bias, last column only
            NDArray last = t == 1 ? x.reshape(b, d) : x.get(new NDIndex().addAllDim().addIndices(t - 1));
            NDArray byVocab = Ops.project(weights.shared(), last.transpose(), weights.finalLogitsBias());
            float[] out = Ops.logits(byVocab);
            countDecoder(self.flops(), b, t, keys, state.sourceWidth());
            self.advance(t);
            return out;
        }
    }

    /** {@code layerNorm(tokens·scale + positions[first + i + 2])} {@code [b, t, d_model]}. */
    private NDArray embed(NDManager step, int[] tokens, int b, int t, int first, NDArray positions,
            BartWeights.Norm norm) {
        long[] ids = new long[tokens.length];
        long[] pos = new long[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            ids[i] = tokens[i];
            pos[i] = first + i % t + BartConfiguration.POSITION_OFFSET;
        }
        NDArray x = lookup(step.create(ids, new Shape(b, t)), weights.shared());
        if (config.scaleEmbedding()) {
            x = x.muli(config.embedScale());
        }
        x = x.addi(lookup(step.create(pos, new Shape(b, t)), positions));
        return Ops.layerNorm(x, norm.gain(), norm.bias(), BartConfiguration.LAYER_NORM_EPS);
    }

    /** {@code norm(x + y)}, a fresh tensor ({@code x} is updated in place). */
    private static NDArray residualNorm(NDArray x, NDArray y, BartWeights.Norm norm) {
        return Ops.layerNorm(x.addi(y), norm.gain(), norm.bias(), BartConfiguration.LAYER_NORM_EPS);
    }

    /** Keys (transposed, {@code [b, heads, headDim, t]}) and values ({@code [b, heads, t, headDim]}) of {@code h}. */
    private static NDArray[] keysValues(NDArray h, BartWeights.Attention a, int b, int t, int heads, int headDim) {
        NDArray kT = Ops.linear(h, a.k(), a.kBias()).reshape(b, t, heads, headDim).transpose(0, 2, 3, 1);
        NDArray v = Ops.linear(h, a.v(), a.vBias()).reshape(b, t, heads, headDim).transpose(0, 2, 1, 3);
        return new NDArray[] {kT, v};
    }

    /** {@code out(softmax(q·kᵀ + mask)·v)} (the score scale is folded into q). */
    private NDArray attend(NDArray h, BartWeights.Attention a, NDArray kT, NDArray v, NDArray mask, int b, int t,
            int heads, int headDim) {
        NDArray q = Ops.linear(h, a.q(), a.qBias()).reshape(b, t, heads, headDim).transpose(0, 2, 1, 3);
        NDArray probs = Ops.maskedSoftmax(q.matMul(kT), mask);
        NDArray merged = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, config.dModel());
        return Ops.linear(merged, a.out(), a.outBias());
    }

    /** {@code fc2(act(fc1(h)))}. */
    private NDArray feedForward(NDArray h, BartWeights.Layer layer, int ffn) {
        NDArray up = Ops.linear(h, layer.fc1(), layer.fc1Bias());
        NDArray act;
        switch (config.activation()) {
            case "gelu":
                act = Ops.geluExact(up);
                break;
            case "gelu_new":
            case "gelu_pytorch_tanh":
                act = Ops.geluTanh(up);
                break;
            case "relu":
                act = up.maximum(0f);
                break;
            default: // silu, swish
                act = up.getNDArrayInternal().sigmoid().muli(up);
        }
        return Ops.linear(act, layer.fc2(), layer.fc2Bias());
    }

    private void countEncoder(CountedFlops flops, long b, long s) {
        long d = config.dModel();
        long layers = config.encoderLayers();
        flops.attentionLinear(layers * b * s * 4 * d * d);
        flops.attentionScores(layers * 2 * b * s * s * d);
        flops.mlp(layers * b * s * 2 * d * config.encoderFfn());
        // the decoder's cross-attention keys and values, projected once per batch
        flops.attentionLinear(config.decoderLayers() * b * s * 2 * d * d);
    }

    private void countDecoder(CountedFlops flops, long b, long t, long keys, long source) {
        long d = config.dModel();
        long layers = config.decoderLayers();
        flops.attentionLinear(layers * b * t * (4 + 2) * d * d);
        flops.attentionScores(layers * 2 * b * t * (keys + source) * d);
        flops.mlp(layers * b * t * 2 * d * config.decoderFfn());
        flops.lmHead(b * d * config.vocabSize());
    }

    private static NDArray lookup(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }
}
