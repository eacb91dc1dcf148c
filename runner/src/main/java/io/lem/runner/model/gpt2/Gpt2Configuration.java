package io.lem.runner.model.gpt2;

import io.lem.runner.engine.ConfigValues;
import io.lem.runner.engine.EngineException;

import java.util.List;

/**
 * The hyper-parameters of a GPT-2 model, read from config.json.
 *
 * @param hiddenSize             {@code n_embd}
 * @param numLayers              {@code n_layer}
 * @param numHeads               {@code n_head}
 * @param innerSize              {@code n_inner}, 4·n_embd when null
 * @param maxPositions           {@code n_positions}: rows of the learned position table
 * @param vocabSize              {@code vocab_size}
 * @param layerNormEps           {@code layer_norm_epsilon}
 * @param activation             {@code activation_function}: gelu_new (tanh approximation) or gelu (exact)
 * @param scaleAttnWeights       {@code scale_attn_weights}: divide scores by √headDim
 * @param scaleByInverseLayerIdx {@code scale_attn_by_inverse_layer_idx}: also divide layer i's scores by i + 1
 * @param tieWordEmbeddings      {@code tie_word_embeddings} (GPT-2's default: true)
 */
public record Gpt2Configuration(int hiddenSize, int numLayers, int numHeads, int innerSize, int maxPositions,
        int vocabSize, double layerNormEps, String activation, boolean scaleAttnWeights,
        boolean scaleByInverseLayerIdx, boolean tieWordEmbeddings) {

    public static final List<String> MODEL_TYPES = List.of("gpt2");
    static final List<String> ACTIVATIONS = List.of("gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu");

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** True for the tanh approximation (gelu_new and its aliases), false for the exact erf GELU. */
    public boolean tanhGelu() {
        return !activation.equals("gelu");
    }

    public static Gpt2Configuration from(ConfigValues c) {
        int hidden = c.requireInt("n_embd", "hidden_size");
        int layers = c.requireInt("n_layer", "num_hidden_layers");
        int heads = c.requireInt("n_head", "num_attention_heads");
        int vocab = c.requireInt("vocab_size");
        int positions = c.has("n_positions") ? c.requireInt("n_positions") : c.integer("n_ctx", 1024);
        int inner = c.integer("n_inner", 4 * hidden);
        if (hidden <= 0 || layers <= 0 || heads <= 0 || vocab <= 0 || positions <= 0 || inner <= 0) {
            throw new EngineException("gpt2: sizes must be positive (n_embd " + hidden + ", n_layer " + layers
                    + ", n_head " + heads + ", n_inner " + inner + ", n_positions " + positions + ", vocab_size "
                    + vocab + ")");
        }
        if (hidden % heads != 0) {
            throw new EngineException("gpt2: n_embd " + hidden + " is not a multiple of n_head " + heads);
        }
        String act = c.string("activation_function", "gelu_new");
        if (!ACTIVATIONS.contains(act)) {
            throw new EngineException("gpt2: activation_function '" + act + "' is not supported; supported: "
                    + String.join(", ", ACTIVATIONS));
        }
        return new Gpt2Configuration(hidden, layers, heads, inner, positions, vocab,
                c.decimal("layer_norm_epsilon", 1e-5), act, c.flag("scale_attn_weights", true),
                c.flag("scale_attn_by_inverse_layer_idx", false), c.flag("tie_word_embeddings", true));
    }
}
