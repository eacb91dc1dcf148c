package io.lem.plugins.flops;

import java.util.Objects;

/**
 * Parameters, FLOPs, KV cache and weight sizes of a {@link ModelShape}, from its configuration alone. Shared by the
 * FLOPs plugin and {@code lem model inspect}. All counts are exact integers (overflow throws).
 *
 * <h2>What one forward pass costs</h2>
 * Per token position, the linear layers cost (MACs)
 * <pre>
 *   attention_linear = L · (H·q + 2·H·kv + q·H)      q = heads·head_dim, kv = kv_heads·head_dim
 *   mlp              = L · m·H·I                      m = 3 (gated) or 2 (GPT-2)
 *   lm_head          = H·V                            (also when tied: the matmul still runs)
 * </pre>
 * and each (query, key) pair costs {@code L · 2 · heads · head_dim} MACs: QKᵀ and AV. A prefill over T tokens has
 * T² pairs under {@link FlopsMethod#ARCHITECTURE_DENSE} and T(T+1)/2 under {@link FlopsMethod#ARCHITECTURE_CAUSAL};
 * a decode step for a new token at 0-based position p attends to p + 1 keys under both. {@link FlopsMethod#PARAMETER}
 * costs every position {@code nonEmbedding} MACs (2 × non-embedding params FLOPs) and has no attention-score term.
 * Biases, norms, activations, softmax and residual adds are not FLOPs under the architecture methods: they are
 * element-wise and below 1% for these models.
 *
 * <h2>Which passes a generation runs</h2>
 * A sequence with a P-token prompt that generates N tokens runs one prefill over P positions (it yields the first
 * token) and N − 1 decode steps, at positions P … P+N−2 (the last generated token is never fed back). The LM head is
 * counted at <em>every</em> prefill position, as a plain forward pass and calflops compute logits for all positions
 * (recent transformers versions may keep only the last logits during generate; lem counts all, under all three
 * methods), and once per decode step. Consequently, under the causal method prefill plus decode equals one causal
 * forward pass over P + N − 1 tokens.
 */
public record ArchitectureMath(ModelShape shape) implements SequenceMath {

    public ArchitectureMath {
        Objects.requireNonNull(shape, "shape");
    }

    /** Exact parameter count by component. */
    public ParameterCount parameters() {
        long h = shape.hiddenSize();
        long q = shape.queryWidth();
        long kv = shape.keyValueWidth();
        long i = shape.intermediateSize();
        long v = shape.vocabSize();
        long layers = shape.numLayers();
        int m = shape.mlp().matrices();

        long attentionPerLayer = h * q + 2 * h * kv + q * h
                + (shape.qkvBias() ? q + 2 * kv : 0)
                + (shape.outputBias() ? h : 0);
        // every matrix but the last maps H -> I (bias of width I); the last maps I -> H (bias of width H)
        long mlpPerLayer = m * h * i + (shape.mlpBias() ? (m - 1) * i + h : 0);
        long norms = (2 * layers + 1) * shape.norm().vectors() * h;
        return new ParameterCount(
                Math.multiplyExact(v, h),
                Math.multiplyExact((long) shape.learnedPositions(), h),
                Math.multiplyExact(attentionPerLayer, layers),
                Math.multiplyExact(mlpPerLayer, layers),
                norms,
                shape.tiedEmbeddings() ? 0 : Math.multiplyExact(v, h));
    }

    /** MACs of the linear layers for one token position: attention projections, MLP and LM head. */
    public Macs linearMacsPerToken() {
        long h = shape.hiddenSize();
        long q = shape.queryWidth();
        long kv = shape.keyValueWidth();
        long layers = shape.numLayers();
        long attention = Math.multiplyExact(h * q + 2 * h * kv + q * h, layers);
        long mlp = Math.multiplyExact((long) shape.mlp().matrices() * h * shape.intermediateSize(), layers);
        return new Macs(attention, 0, mlp, Math.multiplyExact(h, (long) shape.vocabSize()), 0);
    }

    /** MACs of QKᵀ and AV for one (query, key) pair over all layers and heads: {@code L · 2 · heads · head_dim}. */
    public long attentionMacsPerPair() {
        return 2L * shape.numLayers() * shape.queryWidth();
    }

    /** What the parameter method charges one token position: each non-embedding weight used once. */
    public Macs parameterMacsPerToken() {
        ParameterCount p = parameters();
        return new Macs(p.attention(), 0, p.mlp(), p.lmHead(), p.norms());
    }

    /**
     * One forward pass without a cache over {@code tokens} positions of each of {@code sequences} sequences (prefill),
     * LM head at every position.
     */
    public Macs forward(FlopsMethod method, long tokens, long sequences) {
        nonNegative("tokens", tokens);
        nonNegative("sequences", sequences);
        Macs perSequence;
        switch (method) {
            case PARAMETER:
                perSequence = parameterMacsPerToken().times(tokens);
                break;
            case ARCHITECTURE_DENSE:
                perSequence = withScores(linearMacsPerToken().times(tokens), Math.multiplyExact(tokens, tokens));
                break;
            case ARCHITECTURE_CAUSAL:
                perSequence = withScores(linearMacsPerToken().times(tokens), triangle(tokens));
                break;
            default:
                throw new IllegalArgumentException("unhandled method " + method);
        }
        return perSequence.times(sequences);
    }

    /** One decode step with a KV cache: a new token at 0-based {@code position} attends to {@code position + 1} keys. */
    public Macs decodeStep(FlopsMethod method, long position) {
        return decode(method, position, 1);
    }

    /**
     * {@code steps} consecutive decode steps with a KV cache, the first new token at 0-based {@code firstPosition};
     * keys attended sum to {@code Σ (p + 1)} over the positions.
     */
    public Macs decode(FlopsMethod method, long firstPosition, long steps) {
        nonNegative("firstPosition", firstPosition);
        nonNegative("steps", steps);
        if (method == FlopsMethod.PARAMETER) {
            return parameterMacsPerToken().times(steps);
        }
        long keys = triangle(firstPosition + steps) - triangle(firstPosition); // (first+1) + ... + (first+steps)
        return withScores(linearMacsPerToken().times(steps), keys);
    }

    /**
     * Everything one sequence costs in a generate call: prefill over {@code promptTokens} positions, then
     * {@code generatedTokens − 1} decode steps (the prefill yields the first token). A sequence that generated nothing
     * still ran its prefill.
     */
    @Override
    public Macs sequence(FlopsMethod method, long promptTokens, long generatedTokens) {
        nonNegative("generatedTokens", generatedTokens);
        Macs prefill = forward(method, promptTokens, 1);
        return generatedTokens <= 1 ? prefill : prefill.plus(decode(method, promptTokens, generatedTokens - 1));
    }

    /** KV cache per token: keys and values of every layer, {@code 2 · L · kv_heads · head_dim · bytes}. */
    public long kvCacheBytesPerToken(Precision precision) {
        return 2L * shape.numLayers() * shape.keyValueWidth() * precision.bytes();
    }

    /** Weights in memory: total parameters (a tied head once) × bytes per element. */
    public long weightBytes(Precision precision) {
        return Math.multiplyExact(parameters().total(), (long) precision.bytes());
    }

    private Macs withScores(Macs linear, long pairs) {
        return new Macs(linear.attentionLinear(), Math.multiplyExact(attentionMacsPerPair(), pairs), linear.mlp(),
                linear.lmHead(), 0);
    }

    /** 1 + 2 + … + n = n(n+1)/2. */
    private static long triangle(long n) {
        return n % 2 == 0 ? Math.multiplyExact(n / 2, n + 1) : Math.multiplyExact(n, (n + 1) / 2);
    }

    private static void nonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }
}
