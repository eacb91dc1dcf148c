package io.lem.runner.model.llama;

import io.lem.runner.engine.ConfigValues;
import io.lem.runner.engine.EngineException;

import java.util.List;
import java.util.Locale;

/**
 * The hyper-parameters of a Llama-family model, read from config.json.
 *
 * @param modelType         {@code llama}, {@code mistral} or {@code qwen2}
 * @param hiddenSize        model width
 * @param intermediateSize  SwiGLU width
 * @param numLayers         decoder layers
 * @param numHeads          query heads
 * @param numKvHeads        key/value heads (grouped-query attention when fewer than numHeads)
 * @param headDim           {@code head_dim} when given, else hiddenSize / numHeads
 * @param vocabSize         vocabulary
 * @param rmsNormEps        {@code rms_norm_eps}
 * @param rope              rotary embedding parameters
 * @param maxPositions      {@code max_position_embeddings}
 * @param tieWordEmbeddings the LM head is the token embedding
 * @param qkvBias           q/k/v projections have biases ({@code attention_bias}; always for qwen2)
 * @param outputBias        o_proj has a bias ({@code attention_bias}, not for qwen2)
 * @param mlpBias           gate/up/down projections have biases ({@code mlp_bias})
 * @param slidingWindow     attention span for Mistral-style sliding windows; 0 = unlimited
 */
public record LlamaConfiguration(String modelType, int hiddenSize, int intermediateSize, int numLayers,
        int numHeads, int numKvHeads, int headDim, int vocabSize, double rmsNormEps, Rope rope, int maxPositions,
        boolean tieWordEmbeddings, boolean qkvBias, boolean outputBias, boolean mlpBias, int slidingWindow) {

    public static final List<String> MODEL_TYPES = List.of("llama", "mistral", "qwen2");

    /**
     * Rotary position embedding: HF's {@code rotate_half} convention, base {@code rope_theta}, optional
     * {@code rope_scaling}.
     *
     * @param theta   {@code rope_theta}
     * @param scaling {@code none}, {@code linear} or {@code llama3}
     */
    public record Rope(double theta, String scaling, double factor, double lowFreqFactor, double highFreqFactor,
            int originalMaxPositions) {

        public static final List<String> SCALINGS = List.of("default", "linear", "llama3");

        /** The inverse frequencies of the {@code headDim / 2} rotated pairs, scaling applied. */
        public double[] inverseFrequencies(int headDim) {
            double[] inv = new double[headDim / 2];
            for (int i = 0; i < inv.length; i++) {
                double freq = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
                switch (scaling) {
                    case "linear":
                        freq /= factor;
                        break;
                    case "llama3": {
                        double wavelength = 2 * Math.PI / freq;
                        double lowFreqWavelength = originalMaxPositions / lowFreqFactor;
                        double highFreqWavelength = originalMaxPositions / highFreqFactor;
                        if (wavelength > lowFreqWavelength) {
                            freq /= factor; // long wavelengths: interpolate
                        } else if (wavelength >= highFreqWavelength) {
                            double smooth = (originalMaxPositions / wavelength - lowFreqFactor)
                                    / (highFreqFactor - lowFreqFactor);
                            freq = (1 - smooth) * freq / factor + smooth * freq; // in between: blend
                        } // short wavelengths: unchanged
                        break;
                    }
                    default:
                        break;
                }
                inv[i] = freq;
            }
            return inv;
        }
    }

    public int kvGroups() {
        return numHeads / numKvHeads;
    }

    public static LlamaConfiguration from(ConfigValues c) {
        String modelType = c.string("model_type", "llama").toLowerCase(Locale.ROOT);
        if (!MODEL_TYPES.contains(modelType)) {
            throw new EngineException("model_type '" + modelType + "' is not a Llama-family type " + MODEL_TYPES);
        }
        String act = c.string("hidden_act", "silu");
        if (!act.equals("silu") && !act.equals("swish")) {
            throw new EngineException(modelType + ": hidden_act '" + act + "' is not supported (only silu)");
        }
        int hidden = c.requireInt("hidden_size");
        int heads = c.requireInt("num_attention_heads");
        int kvHeads = c.integer("num_key_value_heads", heads);
        int headDim = c.integer("head_dim", heads == 0 ? 0 : hidden / heads);
        int layers = c.requireInt("num_hidden_layers");
        int intermediate = c.requireInt("intermediate_size");
        int vocab = c.requireInt("vocab_size");
        if (hidden <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || layers <= 0 || intermediate <= 0
                || vocab <= 0) {
            throw new EngineException(modelType + ": sizes must be positive (hidden_size " + hidden
                    + ", num_attention_heads " + heads + ", num_key_value_heads " + kvHeads + ", head_dim " + headDim
                    + ", num_hidden_layers " + layers + ", intermediate_size " + intermediate + ", vocab_size "
                    + vocab + ")");
        }
        if (heads % kvHeads != 0) {
            throw new EngineException(modelType + ": num_attention_heads " + heads
                    + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw new EngineException(modelType + ": head_dim " + headDim + " must be even for rotary embeddings");
        }
        if (c.decimal("partial_rotary_factor", 1.0) != 1.0) {
            throw new EngineException(modelType + ": partial_rotary_factor is not supported");
        }
        boolean qwen2 = modelType.equals("qwen2");
        boolean attentionBias = c.flag("attention_bias", false);
        int window = 0;
        if (modelType.equals("mistral")) {
            window = c.integer("sliding_window", 0);
        } else if (qwen2 && c.flag("use_sliding_window", false)) {
            throw new EngineException("qwen2: use_sliding_window true is not supported");
        }
        int maxPositions = c.integer("max_position_embeddings", 2048);
        return new LlamaConfiguration(modelType, hidden, intermediate, layers, heads, kvHeads, headDim, vocab,
                c.decimal("rms_norm_eps", 1e-6), rope(c, modelType, maxPositions), maxPositions,
                c.flag("tie_word_embeddings", false), qwen2 || attentionBias, !qwen2 && attentionBias,
                c.flag("mlp_bias", false), Math.max(0, window));
    }

    private static Rope rope(ConfigValues c, String modelType, int maxPositions) {
        double theta = c.decimal("rope_theta", 10000.0);
        ConfigValues s = c.object("rope_scaling");
        if (s == null) {
            return new Rope(theta, "default", 1, 1, 1, maxPositions);
        }
        String type = s.string("rope_type", s.string("type", "default")).toLowerCase(Locale.ROOT);
        double factor = s.decimal("factor", 1.0);
        switch (type) {
            case "default":
                return new Rope(theta, "default", 1, 1, 1, maxPositions);
            case "linear":
                return new Rope(theta, "linear", factor, 1, 1, maxPositions);
            case "llama3": {
                double low = s.decimal("low_freq_factor", 1.0);
                double high = s.decimal("high_freq_factor", 4.0);
                int original = s.integer("original_max_position_embeddings", 8192);
                if (high <= low) {
                    throw new EngineException(modelType + ": rope_scaling high_freq_factor " + high
                            + " must exceed low_freq_factor " + low);
                }
                return new Rope(theta, "llama3", factor, low, high, original);
            }
            default:
                throw new EngineException(modelType + ": rope_scaling type '" + type + "' is not supported; supported: "
                        + String.join(", ", Rope.SCALINGS));
        }
    }
}
