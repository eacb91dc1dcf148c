package io.lem.plugins.flops;

import java.util.Objects;

/**
 * The dimensions of a decoder-only transformer that parameter counts and FLOPs depend on, read from
 * {@code config.json} by {@link HfConfig#shapeOf}. All layers are alike.
 *
 * @param modelType        {@code model_type}, e.g. {@code llama}
 * @param hiddenSize       H, the residual width
 * @param numLayers        L
 * @param numHeads         query heads
 * @param numKvHeads       key/value heads (fewer than {@code numHeads} under grouped-query attention)
 * @param headDim          width of one head (H / heads unless the config says otherwise)
 * @param intermediateSize I, the feed-forward width
 * @param vocabSize        V
 * @param learnedPositions rows of a learned position embedding (GPT-2's {@code n_positions}); 0 for rotary models
 * @param tiedEmbeddings   the LM head shares the token embedding matrix
 * @param mlp              feed-forward structure
 * @param norm             normalization kind (two per layer plus a final one)
 * @param qkvBias          q, k and v projections have biases
 * @param outputBias       the attention output projection has a bias
 * @param mlpBias          the feed-forward projections have biases
 */
public record ModelShape(String modelType, int hiddenSize, int numLayers, int numHeads, int numKvHeads, int headDim,
                         int intermediateSize, int vocabSize, int learnedPositions, boolean tiedEmbeddings,
                         MlpKind mlp, NormKind norm, boolean qkvBias, boolean outputBias, boolean mlpBias) {

    public ModelShape {
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(mlp, "mlp");
        Objects.requireNonNull(norm, "norm");
        positive("hiddenSize", hiddenSize);
        positive("numLayers", numLayers);
        positive("numHeads", numHeads);
        positive("numKvHeads", numKvHeads);
        positive("headDim", headDim);
        positive("intermediateSize", intermediateSize);
        positive("vocabSize", vocabSize);
        if (learnedPositions < 0) {
            throw new IllegalArgumentException("learnedPositions must be >= 0, was " + learnedPositions);
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("attention heads (" + numHeads
                    + ") must be a multiple of key/value heads (" + numKvHeads + ")");
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    /** Width of all query heads together: heads × head_dim. */
    public long queryWidth() {
        return (long) numHeads * headDim;
    }

    /** Width of all key (or value) heads together: kv_heads × head_dim. */
    public long keyValueWidth() {
        return (long) numKvHeads * headDim;
    }
}
