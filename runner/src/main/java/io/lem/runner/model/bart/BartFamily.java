package io.lem.runner.model.bart;

import ai.djl.ndarray.NDArray;
import io.lem.runner.engine.ConfigValues;
import io.lem.runner.engine.WeightLoader;
import io.lem.runner.model.ModelFamily;
import io.lem.runner.model.ModelInfo;
import io.lem.runner.model.Seq2SeqLm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * BART checkpoints in HuggingFace layout ({@code BartForConditionalGeneration}): {@code model.shared},
 * {@code model.{encoder,decoder}.embed_positions} (learned, offset 2), {@code layernorm_embedding},
 * {@code layers.N.self_attn.{q,k,v,out}_proj} with biases, {@code self_attn_layer_norm}, {@code fc1}, {@code fc2},
 * {@code final_layer_norm}, the decoder's {@code encoder_attn} and {@code encoder_attn_layer_norm}, and the
 * {@code final_logits_bias} buffer. The LM head is the shared embedding; the copies {@code embed_tokens} and
 * {@code lm_head.weight} are not read (a checkpoint that kept only one of them is read from that name).
 * {@code final_logits_bias} is read but not counted as a parameter, as in HuggingFace's {@code num_parameters()}.
 */
public final class BartFamily implements ModelFamily {

    @Override
    public String name() {
        return "bart";
    }

    @Override
    public List<String> modelTypes() {
        return BartConfiguration.MODEL_TYPES;
    }

    @Override
    public boolean encoderDecoder() {
        return true;
    }

    @Override
    public void validate(ConfigValues config) {
        BartConfiguration.from(config);
    }

    @Override
    public Seq2SeqLm load(ConfigValues values, WeightLoader w, String device) {
        BartConfiguration c = BartConfiguration.from(values);
        String m = w.has("shared.weight") && !w.has("model.shared.weight") ? "" : "model.";
        long d = c.dModel();
        long positions = c.maxPositions() + BartConfiguration.POSITION_OFFSET;
        String sharedName = first(w, m + "shared.weight", m + "encoder.embed_tokens.weight",
                m + "decoder.embed_tokens.weight", "lm_head.weight");
        NDArray shared = w.tensor(sharedName, c.vocabSize(), d);

        String e = m + "encoder.";
        NDArray encoderPositions = w.tensor(e + "embed_positions.weight", positions, d);
        BartWeights.Norm encoderEmbedNorm = norm(w, e + "layernorm_embedding", d);
        List<BartWeights.Layer> encoder = new ArrayList<>();
        for (int l = 0; l < c.encoderLayers(); l++) {
            String p = e + "layers." + l + ".";
            encoder.add(layer(w, p, null, c.encoderHeadDim(), c.encoderFfn(), d));
        }
        String dec = m + "decoder.";
        NDArray decoderPositions = w.tensor(dec + "embed_positions.weight", positions, d);
        BartWeights.Norm decoderEmbedNorm = norm(w, dec + "layernorm_embedding", d);
        List<BartWeights.Layer> decoder = new ArrayList<>();
        for (int l = 0; l < c.decoderLayers(); l++) {
            String p = dec + "layers." + l + ".";
            decoder.add(layer(w, p, attention(w, p + "encoder_attn", c.decoderHeadDim(), d),
                    c.decoderHeadDim(), c.decoderFfn(), d));
        }
        NDArray bias = w.has("final_logits_bias")
                ? w.buffer("final_logits_bias", 1, c.vocabSize()).reshape(c.vocabSize(), 1) : null;
        ModelInfo info = new ModelInfo("bart", name(), c.vocabSize(), c.dModel(),
                c.encoderLayers() + c.decoderLayers(), c.decoderHeads(), c.decoderHeads(), c.decoderHeadDim(),
                c.decoderFfn(), c.maxPositions(), true, true, w.parameters(),
                w.dtype().name().toLowerCase(Locale.ROOT), device, true);
        return new BartModel(c, new BartWeights(shared, encoderPositions, encoderEmbedNorm, List.copyOf(encoder),
                decoderPositions, decoderEmbedNorm, List.copyOf(decoder), bias), w.manager(), w.dtype(), info);
    }

    private static BartWeights.Layer layer(WeightLoader w, String p, BartWeights.Attention cross, int headDim,
            long ffn, long d) {
        return new BartWeights.Layer(attention(w, p + "self_attn", headDim, d), cross,
                w.tensor(p + "fc1.weight", ffn, d), w.tensor(p + "fc1.bias", ffn),
                w.tensor(p + "fc2.weight", d, ffn), w.tensor(p + "fc2.bias", d), norm(w, p + "final_layer_norm", d));
    }

    /** {@code <name>.{q,k,v,out}_proj} and the LayerNorm after it ({@code <name>_layer_norm}); q scaled. */
    private static BartWeights.Attention attention(WeightLoader w, String name, int headDim, long d) {
        double scale = Math.pow(headDim, -0.5);
        String a = name + ".";
        return new BartWeights.Attention(
                w.upload(WeightLoader.scale(w.floats(a + "q_proj.weight", d, d), scale), d, d),
                w.upload(WeightLoader.scale(w.floats(a + "q_proj.bias", d), scale), d),
                w.tensor(a + "k_proj.weight", d, d), w.tensor(a + "k_proj.bias", d),
                w.tensor(a + "v_proj.weight", d, d), w.tensor(a + "v_proj.bias", d),
                w.tensor(a + "out_proj.weight", d, d), w.tensor(a + "out_proj.bias", d),
                norm(w, name + "_layer_norm", d));
    }

    private static BartWeights.Norm norm(WeightLoader w, String name, long d) {
        return new BartWeights.Norm(w.tensor(name + ".weight", d), w.tensor(name + ".bias", d));
    }

    private static String first(WeightLoader w, String... names) {
        for (String n : names) {
            if (w.has(n)) {
                return n;
            }
        }
        return names[0];
    }
}
