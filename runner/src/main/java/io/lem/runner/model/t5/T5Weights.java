package io.lem.runner.model.t5;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * A T5 model's tensors on the device, every linear weight in PyTorch's {@code [out, in]} layout (T5's linears have no
 * biases, its norms no bias either).
 *
 * @param shared         token embedding {@code [vocab, d_model]}, shared by encoder and decoder
 * @param encoderBias    encoder block 0's {@code relative_attention_bias} {@code [buckets, heads]}, used by every
 *                       encoder layer
 * @param encoder        encoder blocks
 * @param encoderNorm    {@code encoder.final_layer_norm} gain
 * @param decoderBias    decoder block 0's {@code relative_attention_bias}
 * @param decoder        decoder blocks
 * @param decoderNorm    {@code decoder.final_layer_norm} gain
 * @param lmHead         {@code [vocab, d_model]}: {@code shared} when tied, else {@code lm_head.weight}
 */
public record T5Weights(NDArray shared, NDArray encoderBias, List<Block> encoder, NDArray encoderNorm,
        NDArray decoderBias, List<Block> decoder, NDArray decoderNorm, NDArray lmHead) {

    /** Multi-head attention without biases: {@code q, k, v [heads·d_kv, d_model]}, {@code o [d_model, heads·d_kv]}. */
    public record Attention(NDArray norm, NDArray q, NDArray k, NDArray v, NDArray o) {
    }

    /**
     * Feed-forward: {@code wo(act(wi·h))}, or gated {@code wo(act(wi_0·h) · wi_1·h)} ({@code wi1} null when not gated).
     */
    public record FeedForward(NDArray norm, NDArray wi0, NDArray wi1, NDArray wo) {
    }

    /**
     * One block: self-attention, cross-attention (decoder only; null in the encoder), feed-forward, each
     * {@code x += sublayer(rmsnorm(x))}.
     */
    public record Block(Attention self, Attention cross, FeedForward ff) {
    }
}
