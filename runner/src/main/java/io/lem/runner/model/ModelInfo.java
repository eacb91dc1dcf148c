package io.lem.runner.model;

/**
 * What the engine loaded, for the runner, {@code lem model inspect} and FLOPs bookkeeping.
 *
 * @param modelType            {@code model_type} from config.json
 * @param family               the family that runs it ({@code llama}, {@code gpt2})
 * @param vocabSize            vocabulary (rows of the embedding and of the LM head)
 * @param hiddenSize           model width
 * @param numLayers            transformer blocks
 * @param numHeads             query heads
 * @param numKvHeads           key/value heads (== numHeads without grouped-query attention)
 * @param headDim              width of one head
 * @param intermediateSize     feed-forward width
 * @param maxPositions         {@code max_position_embeddings} / {@code n_positions}
 * @param learnedPositions     true when positions beyond {@code maxPositions} do not exist (GPT-2's table); RoPE
 *                             models can run past it (with the usual loss of quality)
 * @param tiedEmbeddings       the LM head is the token embedding
 * @param parameters           parameters read from the checkpoint
 * @param dtype                compute dtype ({@code float32}, {@code float16})
 * @param device               the device, as DJL names it
 * @param encoderDecoder       true for encoder-decoder models (T5, BART): {@code numLayers} then counts encoder plus
 *                             decoder blocks, and {@code maxPositions} bounds the encoder input and the decoder output
 *                             separately
 */
public record ModelInfo(String modelType, String family, int vocabSize, int hiddenSize, int numLayers, int numHeads,
        int numKvHeads, int headDim, int intermediateSize, int maxPositions, boolean learnedPositions,
        boolean tiedEmbeddings, long parameters, String dtype, String device, boolean encoderDecoder) {

    /** A decoder-only model's info. */
    public ModelInfo(String modelType, String family, int vocabSize, int hiddenSize, int numLayers, int numHeads,
            int numKvHeads, int headDim, int intermediateSize, int maxPositions, boolean learnedPositions,
            boolean tiedEmbeddings, long parameters, String dtype, String device) {
        this(modelType, family, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, headDim, intermediateSize,
                maxPositions, learnedPositions, tiedEmbeddings, parameters, dtype, device, false);
    }
}
