package io.lem.runner.model.llama;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * A Llama-family model's tensors on the device, arranged for the forward pass. Linear weights stay in PyTorch's
 * {@code [out, in]} layout ({@code linear} multiplies by the transpose without copying). Fusions made at load:
 * q, k and v projections are one {@code [(heads + 2·kvHeads)·headDim, hidden]} matrix (q rows pre-scaled by
 * {@code 1/√headDim}, which commutes with RoPE, so the scores need no extra scaling op), and gate and up projections
 * are one {@code [2·intermediate, hidden]} matrix. The gains of the two RMSNorms of a layer are folded into the
 * columns of the projection that follows them ({@code W·(g ⊙ x) = (W·diag(g))·x}); the final norm keeps its gain
 * (the LM head may be the shared embedding). Biases and the final norm gain are columns {@code [n, 1]}: activations
 * are feature-major {@code [features, tokens]} (see {@link LlamaModel}).
 *
 * @param embedding  token embedding {@code [vocab, hidden]}
 * @param layers     decoder layers
 * @param finalNorm  RMSNorm gain before the head
 * @param lmHead     LM head {@code [vocab, hidden]}; the embedding itself when tied
 */
public record LlamaWeights(NDArray embedding, List<Layer> layers, NDArray finalNorm, NDArray lmHead) {

    /**
     * One decoder layer. Biases are null when the architecture has none.
     *
     * @param qkv           fused q|k|v projection, input RMSNorm gain folded in
     * @param qkvBias       fused q|k|v bias (qwen2, attention_bias)
     * @param output        o_proj {@code [hidden, heads·headDim]}
     * @param outputBias    o_proj bias (attention_bias)
     * @param gateUp        fused gate|up projection, post-attention RMSNorm gain folded in
     * @param gateUpBias    fused gate|up bias (mlp_bias)
     * @param down          down_proj {@code [hidden, intermediate]}
     * @param downBias      down_proj bias (mlp_bias)
     */
    public record Layer(NDArray qkv, NDArray qkvBias, NDArray output, NDArray outputBias, NDArray gateUp, NDArray gateUpBias, NDArray down, NDArray downBias) {
    }
}
