package io.lem.runner.model.t5;

import ai.djl.ndarray.NDArray;
import io.lem.runner.engine.ConfigValues;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.WeightLoader;
import io.lem.runner.model.ModelFamily;
import io.lem.runner.model.ModelInfo;
import io.lem.runner.model.Seq2SeqLm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * T5 checkpoints in HuggingFace layout ({@code T5ForConditionalGeneration}): {@code shared.weight},
 * {@code encoder.block.N.layer.0.SelfAttention.{q,k,v,o}}, {@code ...layer.0.layer_norm}, the feed-forward
 * {@code layer.1.DenseReluDense.{wi,wo}} or {@code {wi_0,wi_1,wo}}, the decoder's {@code layer.1.EncDecAttention} and
 * {@code layer.2} feed-forward, {@code relative_attention_bias} in block 0, the final layer norms and, untied,
 * {@code lm_head.weight}. The copies {@code encoder.embed_tokens} / {@code decoder.embed_tokens} of {@code shared} are
 * not read (a checkpoint that kept only one of them is read from that name).
 */
public final class T5Family implements ModelFamily {

    @Override
    public String name() {
        return "t5";
    }

    @Override
    public List<String> modelTypes() {
        return T5Configuration.MODEL_TYPES;
    }

    @Override
    public boolean encoderDecoder() {
        return true;
    }

    @Override
    public void validate(ConfigValues config) {
        T5Configuration.from(config);
    }

    @Override
    public Seq2SeqLm load(ConfigValues values, WeightLoader w, String device) {
        T5Configuration c = T5Configuration.from(values);
        long d = c.dModel();
        String sharedName = first(w, "shared.weight", "encoder.embed_tokens.weight", "decoder.embed_tokens.weight");
        NDArray shared = w.tensor(sharedName, c.vocabSize(), d);
        List<T5Weights.Block> encoder = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "encoder.block." + l + ".layer.";
            encoder.add(new T5Weights.Block(attention(w, c, p + "0.", "SelfAttention"), null,
                    feedForward(w, c, p + "1.")));
        }
        NDArray encoderBias = w.tensor("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                c.numBuckets(), c.numHeads());
        NDArray encoderNorm = w.tensor("encoder.final_layer_norm.weight", d);
        List<T5Weights.Block> decoder = new ArrayList<>();
        for (int l = 0; l < c.numDecoderLayers(); l++) {
            String p = "decoder.block." + l + ".layer.";
            decoder.add(new T5Weights.Block(attention(w, c, p + "0.", "SelfAttention"),
                    attention(w, c, p + "1.", "EncDecAttention"), feedForward(w, c, p + "2.")));
        }
        NDArray decoderBias = w.tensor("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                c.numBuckets(), c.numHeads());
        NDArray decoderNorm = w.tensor("decoder.final_layer_norm.weight", d);
        boolean tied = c.tieWordEmbeddings();
        if (!tied && !w.has("lm_head.weight")) {
            throw new EngineException("t5: tie_word_embeddings is false but the checkpoint has no 'lm_head.weight'");
        }
        NDArray lmHead = tied ? shared : w.tensor("lm_head.weight", c.vocabSize(), d);
        ModelInfo info = new ModelInfo(values.string("model_type", "t5"), name(), c.vocabSize(), c.dModel(),
                c.numLayers() + c.numDecoderLayers(), c.numHeads(), c.numHeads(), c.dKv(), c.dFf(), 0, false, tied,
                w.parameters(), w.dtype().name().toLowerCase(Locale.ROOT), device, true);
        return new T5Model(c, new T5Weights(shared, encoderBias, List.copyOf(encoder), encoderNorm, decoderBias,
                List.copyOf(decoder), decoderNorm, lmHead), w.manager(), w.dtype(), info);
    }

    private static T5Weights.Attention attention(WeightLoader w, T5Configuration c, String layer, String kind) {
        long d = c.dModel();
        long inner = c.innerDim();
        String a = layer + kind + ".";
        return new T5Weights.Attention(w.tensor(layer + "layer_norm.weight", d),
                w.tensor(a + "q.weight", inner, d), w.tensor(a + "k.weight", inner, d),
                w.tensor(a + "v.weight", inner, d), w.tensor(a + "o.weight", d, inner));
    }

    private static T5Weights.FeedForward feedForward(WeightLoader w, T5Configuration c, String layer) {
        long d = c.dModel();
        long ff = c.dFf();
        String p = layer + "DenseReluDense.";
        NDArray norm = w.tensor(layer + "layer_norm.weight", d);
        if (c.gated()) {
            return new T5Weights.FeedForward(norm, w.tensor(p + "wi_0.weight", ff, d),
                    w.tensor(p + "wi_1.weight", ff, d), w.tensor(p + "wo.weight", d, ff));
        }
        return new T5Weights.FeedForward(norm, w.tensor(p + "wi.weight", ff, d), null,
                w.tensor(p + "wo.weight", d, ff));
    }

    private static String first(WeightLoader w, String... names) {
        for (String n : names) {
            if (w.has(n)) {
                return n;
            }
        }
        return names[0]; // the loader's error names the canonical tensor
    }
}
