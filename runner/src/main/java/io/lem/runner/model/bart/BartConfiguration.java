package io.lem.runner.model.bart;

import io.lem.runner.engine.ConfigValues;
import io.lem.runner.engine.EngineException;

import java.util.List;

/**
 * The hyper-parameters of a BART model (bart-base, bart-large, bart-large-cnn, distilbart), read from config.json.
 *
 * @param dModel              {@code d_model}
 * @param encoderLayers       {@code encoder_layers}
 * @param decoderLayers       {@code decoder_layers}
 * @param encoderHeads        {@code encoder_attention_heads}
 * @param decoderHeads        {@code decoder_attention_heads}
 * @param encoderFfn          {@code encoder_ffn_dim}
 * @param decoderFfn          {@code decoder_ffn_dim}
 * @param vocabSize           {@code vocab_size}
 * @param maxPositions        {@code max_position_embeddings}: the learned tables have 2 more rows (offset 2)
 * @param activation          {@code activation_function}: gelu (exact), gelu_new (tanh), relu or silu
 * @param scaleEmbedding      {@code scale_embedding}: token embeddings × √d_model
 * @param decoderStartTokenId {@code decoder_start_token_id} (BART: eos, 2)
 * @param forcedBosTokenId    {@code forced_bos_token_id}, -1 when absent (bart-large-cnn: 0)
 * @param forcedEosTokenId    {@code forced_eos_token_id}, -1 when absent (bart-large-cnn: 2)
 */
public record BartConfiguration(int dModel, int encoderLayers, int decoderLayers, int encoderHeads, int decoderHeads,
        int encoderFfn, int decoderFfn, int vocabSize, int maxPositions, String activation, boolean scaleEmbedding,
        int decoderStartTokenId, int forcedBosTokenId, int forcedEosTokenId) {

    public static final List<String> MODEL_TYPES = List.of("bart");
    static final List<String> ACTIVATIONS = List.of("gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu", "swish");

    /** BART's learned positions start at row 2 of the table (fairseq's padding offset). */
    public static final int POSITION_OFFSET = 2;

    /** {@code nn.LayerNorm}'s default epsilon, which BART uses everywhere. */
    public static final double LAYER_NORM_EPS = 1e-5;

    public int encoderHeadDim() {
        return dModel / encoderHeads;
    }

    public int decoderHeadDim() {
        return dModel / decoderHeads;
    }

    public double embedScale() {
        return scaleEmbedding ? Math.sqrt(dModel) : 1.0;
    }

    public static BartConfiguration from(ConfigValues c) {
        int d = c.requireInt("d_model");
        int encLayers = c.requireInt("encoder_layers");
        int decLayers = c.requireInt("decoder_layers");
        int encHeads = c.requireInt("encoder_attention_heads");
        int decHeads = c.requireInt("decoder_attention_heads");
        int encFfn = c.requireInt("encoder_ffn_dim");
        int decFfn = c.requireInt("decoder_ffn_dim");
        int vocab = c.requireInt("vocab_size");
        int positions = c.requireInt("max_position_embeddings");
        if (d <= 0 || encLayers <= 0 || decLayers <= 0 || encHeads <= 0 || decHeads <= 0 || encFfn <= 0
                || decFfn <= 0 || vocab <= 0 || positions <= 0) {
            throw new EngineException("bart: sizes must be positive (d_model " + d + ", encoder_layers " + encLayers
                    + ", decoder_layers " + decLayers + ", encoder_attention_heads " + encHeads
                    + ", decoder_attention_heads " + decHeads + ", encoder_ffn_dim " + encFfn + ", decoder_ffn_dim "
                    + decFfn + ", vocab_size " + vocab + ", max_position_embeddings " + positions + ")");
        }
        if (d % encHeads != 0 || d % decHeads != 0) {
            throw new EngineException("bart: d_model " + d + " is not a multiple of encoder_attention_heads "
                    + encHeads + " and decoder_attention_heads " + decHeads);
        }
        String act = c.string("activation_function", "gelu");
        if (!ACTIVATIONS.contains(act)) {
            throw new EngineException("bart: activation_function '" + act + "' is not supported; supported: "
                    + String.join(", ", ACTIVATIONS));
        }
        // HF's BartModel is post-LayerNorm with no final stack norm whatever these say; refuse rather than diverge
        if (c.flag("normalize_before", false)) {
            throw new EngineException("bart: normalize_before true (pre-LayerNorm, mBART-style) is not supported: "
                    + "BART runs post-LayerNorm (normalize_before: false)");
        }
        if (c.flag("add_final_layer_norm", false)) {
            throw new EngineException("bart: add_final_layer_norm true (mBART-style) is not supported: "
                    + "BART has no final encoder/decoder layer norm (add_final_layer_norm: false)");
        }
        if (c.flag("add_bias_logits", false)) {
            throw new EngineException("bart: add_bias_logits true is not supported (only final_logits_bias is)");
        }
        if (!c.flag("tie_word_embeddings", true)) {
            throw new EngineException("bart: tie_word_embeddings false is not supported: BART's LM head is the "
                    + "shared embedding");
        }
        return new BartConfiguration(d, encLayers, decLayers, encHeads, decHeads, encFfn, decFfn, vocab, positions,
                act, c.flag("scale_embedding", false), c.integer("decoder_start_token_id", 2),
                c.integer("forced_bos_token_id", -1), c.integer("forced_eos_token_id", -1));
    }
}
