package io.lem.runner.model.llama;

import ai.djl.ndarray.NDArray;
import io.lem.runner.engine.ConfigValues;
import io.lem.runner.engine.WeightLoader;
import io.lem.runner.model.CausalLm;
import io.lem.runner.model.ModelFamily;
import io.lem.runner.model.ModelInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Llama-family checkpoints in HuggingFace layout ({@code model.embed_tokens}, {@code model.layers.N.self_attn.*},
 * {@code model.layers.N.mlp.*}, {@code model.norm}, {@code lm_head}).
 */
public final class LlamaFamily implements ModelFamily {

    private static final Logger log = LoggerFactory.getLogger(LlamaFamily.class);

    @Override
    public String name() {
        return "llama";
    }

    @Override
    public List<String> modelTypes() {
        return LlamaConfiguration.MODEL_TYPES;
    }

    @Override
    public void validate(ConfigValues config) {
        LlamaConfiguration.from(config);
    }

    @Override
    public CausalLm load(ConfigValues values, WeightLoader w, String device) {
        LlamaConfiguration c = LlamaConfiguration.from(values);
        long hidden = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        long inter = c.intermediateSize();
        double queryScale = 1.0 / Math.sqrt(c.headDim());

        NDArray embedding = w.tensor("model.embed_tokens.weight", c.vocabSize(), hidden);
        List<LlamaWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            String a = p + "self_attn.";
            float[] attentionGain = w.floats(p + "input_layernorm.weight", hidden);
            float[] qkv = WeightLoader.concatRows(
                    WeightLoader.scale(w.floats(a + "q_proj.weight", q, hidden), queryScale),
                    w.floats(a + "k_proj.weight", kv, hidden),
                    w.floats(a + "v_proj.weight", kv, hidden));
            NDArray qkvBias = null;
            if (c.qkvBias()) {
                qkvBias = w.upload(WeightLoader.concatRows(
                        WeightLoader.scale(w.floats(a + "q_proj.bias", q), queryScale),
                        w.floats(a + "k_proj.bias", kv),
                        w.floats(a + "v_proj.bias", kv)), q + 2 * kv, 1);
            }
            WeightLoader.scaleColumns(qkv, attentionGain);
            String m = p + "mlp.";
            float[] gateUp = WeightLoader.concatRows(w.floats(m + "gate_proj.weight", inter, hidden),
                    w.floats(m + "up_proj.weight", inter, hidden));
            WeightLoader.scaleColumns(gateUp, w.floats(p + "post_attention_layernorm.weight", hidden));
            NDArray gateUpBias = null;
            if (c.mlpBias()) {
                gateUpBias = w.upload(WeightLoader.concatRows(w.floats(m + "gate_proj.bias", inter),
                        w.floats(m + "up_proj.bias", inter)), 2 * inter, 1);
            }
            layers.add(new LlamaWeights.Layer(
                    w.upload(qkv, q + 2 * kv, hidden),
                    qkvBias,
                    w.tensor(a + "o_proj.weight", hidden, q),
                    c.outputBias() ? column(w, a + "o_proj.bias", hidden) : null,
                    w.upload(gateUp, 2 * inter, hidden),
                    gateUpBias,
                    w.tensor(m + "down_proj.weight", hidden, inter),
                    c.mlpBias() ? column(w, m + "down_proj.bias", hidden) : null));
        }
        NDArray finalNorm = column(w, "model.norm.weight", hidden);
        boolean tied = c.tieWordEmbeddings() || !w.has("lm_head.weight");
        if (tied && !c.tieWordEmbeddings()) {
            log.warn("{}: the checkpoint has no lm_head.weight although tie_word_embeddings is false; "
                    + "using the token embedding as the LM head", c.modelType());
        }
        NDArray lmHead = tied ? embedding : w.tensor("lm_head.weight", c.vocabSize(), hidden);

        RotaryTables rope = new RotaryTables(w.manager(), w.dtype(), c.headDim(),
                c.rope().inverseFrequencies(c.headDim()), Math.min(c.maxPositions(), 4096));
        ModelInfo info = new ModelInfo(c.modelType(), name(), c.vocabSize(), c.hiddenSize(), c.numLayers(),
                c.numHeads(), c.numKvHeads(), c.headDim(), c.intermediateSize(), c.maxPositions(), false, tied,
                w.parameters(), w.dtype().name().toLowerCase(java.util.Locale.ROOT), device);
        return new LlamaModel(c, new LlamaWeights(embedding, List.copyOf(layers), finalNorm, lmHead), rope,
                w.manager(), w.dtype(), info);
    }

    /** A vector as a column {@code [n, 1]}, to broadcast over the token columns of feature-major activations. */
    private static NDArray column(WeightLoader w, String name, long n) {
        return w.upload(w.floats(name, n), n, 1);
    }
}
