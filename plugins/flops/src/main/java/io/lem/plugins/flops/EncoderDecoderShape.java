package io.lem.plugins.flops;

import java.util.Objects;

/**
 * The dimensions of an encoder-decoder transformer (T5, BART) that parameter counts and FLOPs depend on, read from
 * {@code config.json} by {@link HfConfig#encoderDecoderShapeOf}. Encoder and decoder share the token embedding and the
 * model width; each stack has its own depth, heads and feed-forward width. Decoder layers have self-attention,
 * cross-attention over the encoder output and a feed-forward block; encoder layers no cross-attention.
 *
 * @param modelType          {@code t5}, {@code mt5} or {@code bart}
 * @param hiddenSize         d_model
 * @param encoderLayers      encoder blocks
 * @param decoderLayers      decoder blocks
 * @param encoderHeads       encoder attention heads
 * @param decoderHeads       decoder attention heads
 * @param encoderHeadDim     width of one encoder head (T5: {@code d_kv}, which need not be d_model / heads)
 * @param decoderHeadDim     width of one decoder head
 * @param encoderFfn         encoder feed-forward width
 * @param decoderFfn         decoder feed-forward width
 * @param vocabSize          V
 * @param learnedPositions   rows of each stack's learned position table (BART: max_position_embeddings + 2); 0 for
 *                           T5's relative positions
 * @param relativeBuckets    rows of each stack's relative position bias table (T5: one per stack, in block 0); 0
 * @param tiedEmbeddings     the LM head is the token embedding
 * @param mlp                feed-forward structure (T5: gated for gated-gelu, plain for relu; BART plain)
 * @param norm               norm kind (T5: RMS; BART: LayerNorm)
 * @param biases             every projection has a bias (BART), or none does (T5)
 * @param embeddingNorm      a norm after the embeddings in each stack (BART's layernorm_embedding)
 * @param finalNorm          a norm at the end of each stack (T5's final_layer_norm)
 */
public record EncoderDecoderShape(String modelType, int hiddenSize, int encoderLayers, int decoderLayers,
                                  int encoderHeads, int decoderHeads, int encoderHeadDim, int decoderHeadDim,
                                  int encoderFfn, int decoderFfn, int vocabSize, int learnedPositions,
                                  int relativeBuckets, boolean tiedEmbeddings, MlpKind mlp, NormKind norm,
                                  boolean biases, boolean embeddingNorm, boolean finalNorm) {

    public EncoderDecoderShape {
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(mlp, "mlp");
        Objects.requireNonNull(norm, "norm");
        for (int v : new int[] {hiddenSize, encoderLayers, decoderLayers, encoderHeads, decoderHeads, encoderHeadDim,
                decoderHeadDim, encoderFfn, decoderFfn, vocabSize}) {
            if (v <= 0) {
                throw new IllegalArgumentException("encoder-decoder sizes must be positive: " + modelType);
            }
        }
        if (learnedPositions < 0 || relativeBuckets < 0) {
            throw new IllegalArgumentException("learnedPositions and relativeBuckets must be >= 0");
        }
    }

    /** Width of all encoder heads together. */
    public long encoderInner() {
        return (long) encoderHeads * encoderHeadDim;
    }

    /** Width of all decoder heads together. */
    public long decoderInner() {
        return (long) decoderHeads * decoderHeadDim;
    }
}
