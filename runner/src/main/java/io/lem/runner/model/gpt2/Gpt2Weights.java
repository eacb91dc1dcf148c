package io.lem.runner.model.gpt2;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * A GPT-2 model's tensors on the device. The checkpoint's Conv1D weights are {@code [in, out]}; they are transposed at
 * load into PyTorch's {@code [out, in]} linear layout. The attention scale (1/√headDim, and 1/(layer+1) when
 * configured) is folded into the q third of {@code c_attn}'s weight and bias.
 *
 * @param tokenEmbedding    {@code wte} {@code [vocab, hidden]}
 * @param positionEmbedding {@code wpe} {@code [positions, hidden]}
 * @param layers            transformer blocks
 * @param finalNormGain     {@code ln_f} weight
 * @param finalNormBias     {@code ln_f} bias
 * @param lmHead            LM head {@code [vocab, hidden]}: {@code wte} when tied
 */
public record Gpt2Weights(NDArray tokenEmbedding, NDArray positionEmbedding, List<Layer> layers,
        NDArray finalNormGain, NDArray finalNormBias, NDArray lmHead) {

    /**
     * One block: {@code x += c_proj(attn(ln_1(x)))}, {@code x += mlp(ln_2(x))}.
     */
    public record Layer(NDArray norm1Gain, NDArray norm1Bias, NDArray qkv, NDArray qkvBias, NDArray output,
            NDArray outputBias, NDArray norm2Gain, NDArray norm2Bias, NDArray up, NDArray upBias, NDArray down,
            NDArray downBias) {
    }
}
