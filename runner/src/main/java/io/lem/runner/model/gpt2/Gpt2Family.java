package io.lem.runner.model.gpt2;

import ai.djl.ndarray.NDArray;
import io.lem.runner.engine.ConfigValues;
import io.lem.runner.engine.WeightLoader;
import io.lem.runner.model.CausalLm;
import io.lem.runner.model.ModelFamily;
import io.lem.runner.model.ModelInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * GPT-2 checkpoints in HuggingFace layout, with or without the {@code transformer.} prefix. Non-weight buffers such as
 * {@code attn.bias} (the causal mask) and {@code attn.masked_bias} are never read.
 */
public final class Gpt2Family implements ModelFamily {

    @Override
    public String name() {
        return "gpt2";
    }

    @Override
    public List<String> modelTypes() {
        return Gpt2Configuration.MODEL_TYPES;
    }

    @Override
    public void validate(ConfigValues config) {
        Gpt2Configuration.from(config);
    }

    @Override
    public CausalLm load(ConfigValues values, WeightLoader w, String device) {
        Gpt2Configuration c = Gpt2Configuration.from(values);
        String prefix = w.has("transformer.wte.weight") ? "transformer." : "";
        int hidden = c.hiddenSize();
        int inner = c.innerSize();

        NDArray wte = w.tensor(prefix + "wte.weight", c.vocabSize(), hidden);
        NDArray wpe = w.tensor(prefix + "wpe.weight", c.maxPositions(), hidden);
        List<Gpt2Weights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            String p = prefix + "h." + l + ".";
            double scale = (c.scaleAttnWeights() ? 1.0 / Math.sqrt(c.headDim()) : 1.0)
                    / (c.scaleByInverseLayerIdx() ? l + 1 : 1);
            // c_attn: Conv1D [hidden, 3·hidden] → linear [3·hidden, hidden]; scale the q rows
            float[] qkv = WeightLoader.transpose(w.floats(p + "attn.c_attn.weight", hidden, 3L * hidden),
                    hidden, 3 * hidden);
            float[] qkvBias = w.floats(p + "attn.c_attn.bias", 3L * hidden);
            for (int i = 0; i < hidden * hidden; i++) {
                qkv[i] = (float) (qkv[i] * scale);
            }
            for (int i = 0; i < hidden; i++) {
                qkvBias[i] = (float) (qkvBias[i] * scale);
            }
            layers.add(new Gpt2Weights.Layer(
                    w.tensor(p + "ln_1.weight", hidden),
                    w.tensor(p + "ln_1.bias", hidden),
                    w.upload(qkv, 3L * hidden, hidden),
                    w.upload(qkvBias, 3L * hidden),
                    conv1d(w, p + "attn.c_proj.weight", hidden, hidden),
                    w.tensor(p + "attn.c_proj.bias", hidden),
                    w.tensor(p + "ln_2.weight", hidden),
                    w.tensor(p + "ln_2.bias", hidden),
                    conv1d(w, p + "mlp.c_fc.weight", hidden, inner),
                    w.tensor(p + "mlp.c_fc.bias", inner),
                    conv1d(w, p + "mlp.c_proj.weight", inner, hidden),
                    w.tensor(p + "mlp.c_proj.bias", hidden)));
        }
        NDArray lnfGain = w.tensor(prefix + "ln_f.weight", hidden);
        NDArray lnfBias = w.tensor(prefix + "ln_f.bias", hidden);
        boolean tied = c.tieWordEmbeddings() || !w.has("lm_head.weight");
        NDArray lmHead = tied ? wte : w.tensor("lm_head.weight", c.vocabSize(), hidden);
        ModelInfo info = new ModelInfo("gpt2", name(), c.vocabSize(), hidden, c.numLayers(), c.numHeads(),
                c.numHeads(), c.headDim(), inner, c.maxPositions(), true, tied, w.parameters(),
                w.dtype().name().toLowerCase(Locale.ROOT), device);
        return new Gpt2Model(c, new Gpt2Weights(wte, wpe, List.copyOf(layers), lnfGain, lnfBias, lmHead),
                w.manager(), w.dtype(), info);
    }

    /** A Conv1D weight {@code [in, out]} as a linear weight {@code [out, in]}. */
    private static NDArray conv1d(WeightLoader w, String name, int in, int out) {
        return w.upload(WeightLoader.transpose(w.floats(name, in, out), in, out), out, in);
    }
}
