package io.lem.runner.model.bart;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * A BART model's tensors on the device, linear weights in PyTorch's {@code [out, in]} layout. Every attention's query
 * projection (weight and bias) has the score scale {@code head_dim^-0.5} folded in.
 *
 * @param shared            token embedding {@code [vocab, d_model]}, also the LM head
 * @param encoderPositions  {@code model.encoder.embed_positions} {@code [max_positions + 2, d_model]}
 * @param encoderEmbedNorm  {@code model.encoder.layernorm_embedding}
 * @param encoder           encoder layers
 * @param decoderPositions  {@code model.decoder.embed_positions}
 * @param decoderEmbedNorm  {@code model.decoder.layernorm_embedding}
 * @param decoder           decoder layers
 * @param finalLogitsBias   {@code final_logits_bias} (a buffer, not a parameter), stored as a column
 *                          {@code [vocab, 1]} for the feature-major LM head; null when the checkpoint has none
 */
public record BartWeights(NDArray shared, NDArray encoderPositions, Norm encoderEmbedNorm, List<Layer> encoder,
        NDArray decoderPositions, Norm decoderEmbedNorm, List<Layer> decoder, NDArray finalLogitsBias) {

    /** A LayerNorm's gain and bias. */
    public record Norm(NDArray gain, NDArray bias) {
    }

    /** Multi-head attention with biases; the norm applied after the residual add. */
    public record Attention(NDArray q, NDArray qBias, NDArray k, NDArray kBias, NDArray v, NDArray vBias,
            NDArray out, NDArray outBias, Norm norm) {
    }

    /**
     * One layer (post-LayerNorm): {@code x = norm(x + selfAttn(x))}, in the decoder {@code x = norm(x + cross(x))},
     * then {@code x = finalNorm(x + fc2(act(fc1(x))))}. {@code cross} is null in the encoder.
     */
    public record Layer(Attention self, Attention cross, NDArray fc1, NDArray fc1Bias, NDArray fc2, NDArray fc2Bias,
            Norm finalNorm) {
    }
}
