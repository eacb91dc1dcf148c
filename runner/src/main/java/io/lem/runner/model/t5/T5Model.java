package io.lem.runner.model.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.lem.runner.engine.BatchState;
import io.lem.runner.engine.CountedFlops;
import io.lem.runner.engine.IntraOpThreads;
import io.lem.runner.engine.Ops;
import io.lem.runner.engine.Seq2SeqState;
import io.lem.runner.model.ModelInfo;
import io.lem.runner.model.Seq2SeqLm;

/**
 * The T5 forward pass (t5 v1.0, t5 v1.1, flan-t5): token embeddings without scaling or positions, pre-norm blocks
 * ({@code x += sublayer(rmsnorm(x))}, T5's layer norm being an RMS norm without mean subtraction or bias) of
 * multi-head attention WITHOUT the 1/√d score scaling and with a learned relative position bias (block 0's table,
 * shared by every layer of the stack: bidirectional buckets in the encoder, unidirectional in the decoder, none in
 * cross-attention), and a ReLU or gated-GELU feed-forward; a final norm per stack; the LM head, after scaling the
 * decoder output by {@code d_model^-0.5} when it is tied to the embedding.
 *
 * <p>Activations are row-major {@code [batch, tokens, features]}; attention works on {@code [batch, heads, tokens,
 * d_kv]} with keys transposed, as in the KV cache. Under float16 the residual stream is clamped after every sublayer as
 * HF's T5Block does (T5 checkpoints overflow float16 easily; float32 is the safe choice).
 */
public final class T5Model implements Seq2SeqLm {

    private static final float HALF_MAX = 65504f;

    private final T5Configuration config;
    private final T5Weights weights;
    private final NDManager manager;
    private final DataType dtype;
    private final ModelInfo info;

    T5Model(T5Configuration config, T5Weights weights, NDManager manager, DataType dtype, ModelInfo info) {
        this.config = config;
        this.weights = weights;
        this.manager = manager;
        this.dtype = dtype;
        this.info = info;
    }

    public T5Configuration configuration() {
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
        Seq2SeqState state = new Seq2SeqState(manager, dtype, config.numDecoderLayers(), config.numHeads(),
                config.dKv(), lengths, width, decoderCapacity);
        IntraOpThreads.forTokens(b * width);
        try (NDManager step = state.manager().newSubManager()) {
            // token embeddings [b, S, d_model]
            NDArray x = lookup(step.create(toLongs(tokens), new Shape(b, width)), weights.shared());

            // relative position bias (bidirectional) plus the key mask of the pad columns [b|1, heads, S, S]
            NDArray biasMask = positionBias(step, weights.encoderBias(), 0, width, width, true);
            NDArray padMask = state.sourceMask(step);
            if (padMask != null) {
                biasMask = biasMask.add(padMask);
            }

            // encoder blocks: self-attention and feed-forward, each x += sublayer(rmsnorm(x)) (float16: clamped)
            for (T5Weights.Block block : weights.encoder()) {
                try (NDManager scope = step.newSubManager()) {
                    scope.tempAttachAll(x);
                    NDArray y = x;
                    NDArray h = Ops.rmsNorm(y, block.self().norm(), config.layerNormEps());
                    NDArray[] kv = keysValues(h, block.self(), b, width);
                    y = clampHalf(y.addi(attend(h, block.self(), kv[0], kv[1], biasMask, b, width)));
                    y = clampHalf(y.addi(feedForward(y, block.ff())));
                    x = keep(x, y, step);
                }
            }
            NDArray encoded = Ops.rmsNorm(x, weights.encoderNorm(), config.layerNormEps());

            // every decoder layer's cross-attention keys and values, once per batch
            for (int l = 0; l < config.numDecoderLayers(); l++) {
                NDArray[] kv = keysValues(encoded, weights.decoder().get(l).cross(), b, width);
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
        int keys = self.length() + t;
        double eps = config.layerNormEps();
        IntraOpThreads.forTokens(b * t);
        try (NDManager step = self.newStep()) {
            // token embeddings [b, t, d_model]
            NDArray x = lookup(step.create(toLongs(tokens), new Shape(b, t)), weights.shared());

            // self-attention: relative position bias (unidirectional) plus the causal mask [b|1, heads, t, keys];
            // cross-attention: the encoder's pad mask only (no position bias)
            NDArray selfMask = positionBias(step, weights.decoderBias(), self.length(), t, keys, false);
            NDArray causal = self.attentionMask(step, t, 0);
            if (causal != null) {
                selfMask = selfMask.add(causal);
            }
            NDArray crossMask = state.sourceMask(step);

            for (int l = 0; l < config.numDecoderLayers(); l++) {
                T5Weights.Block block = weights.decoder().get(l);
                try (NDManager scope = step.newSubManager()) {
                    scope.tempAttachAll(x);
                    // self-attention over the cache plus the new columns
                    NDArray y = x;
                    NDArray h = Ops.rmsNorm(y, block.self().norm(), eps);
                    NDArray[] kv = keysValues(h, block.self(), b, t);
                    NDArray[] cached = self.append(scope, l, kv[0], kv[1]);
                    y = clampHalf(y.addi(attend(h, block.self(), cached[0], cached[1], selfMask, b, t)));

                    // cross-attention over the encoder output
                    h = Ops.rmsNorm(y, block.cross().norm(), eps);
                    y = clampHalf(y.addi(attend(h, block.cross(), state.crossKeys(l), state.crossValues(l),
                            crossMask, b, t)));

                    // feed-forward
                    y = clampHalf(y.addi(feedForward(y, block.ff())));
                    x = keep(x, y, step);
                }
            }

            // final norm, d_model^-0.5 when the head is the embedding, LM head: last column only [d_model, b]
            NDArray last = t == 1 ? x.reshape(b, d) : x.get(new NDIndex().addAllDim().addIndices(t - 1));
            NDArray normed = Ops.rmsNorm(last, weights.decoderNorm(), eps);
            if (config.tieWordEmbeddings()) {
                normed = normed.muli(Math.pow(d, -0.5));
            }
            float[] out = Ops.logits(weights.lmHead(), normed.transpose());
            countDecoder(self.flops(), b, t, keys, state.sourceWidth());
            self.advance(t);
            return out;
        }
    }

    /**
     * HF T5Block's float16 guard after every sublayer: clamp to ±(float16 max − 1000) when some value overflowed to
     * ±inf, else to ±max (a no-op for finite values). Computed on the device, without a synchronization; float32
     * activations are returned as they are.
     */
    private static NDArray clampHalf(NDArray x) {
        if (x.getDataType() != DataType.FLOAT16) {
            return x;
        }
        NDManager m = x.getManager();
        NDArray limit = NDArrays.where(x.isInfinite().any(),
                m.create(HALF_MAX - 1000f).toType(DataType.FLOAT16, false),
                m.create(HALF_MAX).toType(DataType.FLOAT16, false));
        return x.maximum(limit.neg()).minimum(limit);
    }

    /** The residual stream after a block: {@code y} if it replaced {@code x} (float16 clamping), kept in {@code step}. */
    private static NDArray keep(NDArray x, NDArray y, NDManager step) {
        if (y != x) {
            y.attach(step);
        }
        return y;
    }

    /** Keys (transposed, {@code [b, heads, d_kv, t]}) and values ({@code [b, heads, t, d_kv]}) of {@code h}. */
    private NDArray[] keysValues(NDArray h, T5Weights.Attention a, int b, int t) {
        int heads = config.numHeads();
        int dKv = config.dKv();
        NDArray kT = Ops.linear(h, a.k(), null).reshape(b, t, heads, dKv).transpose(0, 2, 3, 1);
        NDArray v = Ops.linear(h, a.v(), null).reshape(b, t, heads, dKv).transpose(0, 2, 1, 3);
        return new NDArray[] {kT, v};
    }

    /** {@code o(softmax(q·kᵀ + biasMask)·v)} for queries from {@code h [b, t, d_model]}; no score scaling in T5. */
    private NDArray attend(NDArray h, T5Weights.Attention a, NDArray kT, NDArray v, NDArray biasMask, int b, int t) {
        NDArray q = Ops.linear(h, a.q(), null).reshape(b, t, config.numHeads(), config.dKv()).transpose(0, 2, 1, 3);
        NDArray probs = Ops.maskedSoftmax(q.matMul(kT), biasMask);
        NDArray merged = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, config.innerDim());
        return Ops.linear(merged, a.o(), null);
    }

    /** {@code wo(act(wi·h))} or {@code wo(act(wi_0·h) · wi_1·h)} of {@code h = rmsnorm(x)}. */
    private NDArray feedForward(NDArray x, T5Weights.FeedForward ff) {
        NDArray h = Ops.rmsNorm(x, ff.norm(), config.layerNormEps());
        NDArray act = activation(Ops.linear(h, ff.wi0(), null));
        if (ff.wi1() != null) {
            act = act.muli(Ops.linear(h, ff.wi1(), null));
        }
        return Ops.linear(act, ff.wo(), null);
    }

    private NDArray activation(NDArray x) {
        switch (config.activation()) {
            case "relu":
                return x.maximum(0f);
            case "gelu_new":
                return Ops.geluTanh(x);
            case "gelu":
                return Ops.geluExact(x);
            case "silu":
                return x.getNDArrayInternal().sigmoid().muli(x);
            default:
                throw new IllegalStateException("activation " + config.activation());
        }
    }

    /**
     * The relative position bias {@code [1, heads, t, keys]} (float32) of queries at positions
     * {@code [firstQuery, firstQuery + t)} against keys at {@code [0, keys)}: the buckets are computed on the JVM and
     * looked up in the bias table {@code [buckets, heads]}.
     */
    private NDArray positionBias(NDManager step, NDArray table, int firstQuery, int t, int keys,
            boolean bidirectional) {
        long[] buckets = new long[t * keys];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < keys; j++) {
                buckets[i * keys + j] = T5Configuration.bucket(j - (firstQuery + i), bidirectional,
                        config.numBuckets(), config.maxDistance());
            }
        }
        NDArray bias = lookup(step.create(buckets, new Shape(t * keys)), table).transpose()
                .reshape(1, config.numHeads(), t, keys);
        return bias.getDataType() == DataType.FLOAT32 ? bias : bias.toType(DataType.FLOAT32, false);
    }

    private int ffMatrices() {
        return config.gated() ? 3 : 2;
    }

    private void countEncoder(CountedFlops flops, long b, long s) {
        long d = config.dModel();
        long inner = config.innerDim();
        long layers = config.numLayers();
        flops.attentionLinear(layers * b * s * 4 * d * inner);
        flops.attentionScores(layers * 2 * b * config.numHeads() * s * s * config.dKv());
        flops.mlp(layers * b * s * ffMatrices() * d * config.dFf());
        // the decoder's cross-attention keys and values, projected once per batch
        flops.attentionLinear(config.numDecoderLayers() * b * s * 2 * d * inner);
    }

    private void countDecoder(CountedFlops flops, long b, long t, long keys, long source) {
        long d = config.dModel();
        long inner = config.innerDim();
        long layers = config.numDecoderLayers();
        long heads = config.numHeads();
        flops.attentionLinear(layers * b * t * (4 + 2) * d * inner);
        flops.attentionScores(layers * 2 * b * heads * t * (keys + source) * config.dKv());
        flops.mlp(layers * b * t * ffMatrices() * d * config.dFf());
        flops.lmHead(b * d * config.vocabSize());
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
