package io.lem.runner.model.t5;

import io.lem.runner.engine.ConfigValues;
import io.lem.runner.engine.EngineException;

import java.util.List;

/**
 * The hyper-parameters of a T5 model (t5 v1.0, t5 v1.1, flan-t5, mT5), read from config.json.
 *
 * @param dModel              {@code d_model}
 * @param dKv                 {@code d_kv}: width of one attention head (heads · d_kv may differ from d_model)
 * @param dFf                 {@code d_ff}
 * @param numLayers           {@code num_layers}: encoder blocks
 * @param numDecoderLayers    {@code num_decoder_layers} (defaults to num_layers)
 * @param numHeads            {@code num_heads}
 * @param numBuckets          {@code relative_attention_num_buckets}
 * @param maxDistance         {@code relative_attention_max_distance}
 * @param vocabSize           {@code vocab_size}
 * @param layerNormEps        {@code layer_norm_epsilon}
 * @param activation          the feed-forward activation: relu, gelu (exact), gelu_new (tanh approximation), silu
 * @param gated               {@code feed_forward_proj} starts with {@code gated-}: {@code wo(act(wi_0·h) · wi_1·h)}
 * @param tieWordEmbeddings   {@code tie_word_embeddings}: the LM head is {@code shared} and the decoder output is
 *                            scaled by {@code d_model^-0.5} first
 * @param decoderStartTokenId {@code decoder_start_token_id} (T5: the pad id, 0)
 * @param forcedBosTokenId    {@code forced_bos_token_id}, -1 when absent
 * @param forcedEosTokenId    {@code forced_eos_token_id}, -1 when absent
 */
public record T5Configuration(int dModel, int dKv, int dFf, int numLayers, int numDecoderLayers, int numHeads,
        int numBuckets, int maxDistance, int vocabSize, double layerNormEps, String activation, boolean gated,
        boolean tieWordEmbeddings, int decoderStartTokenId, int forcedBosTokenId, int forcedEosTokenId) {

    public static final List<String> MODEL_TYPES = List.of("t5", "mt5");
    static final List<String> FEED_FORWARD = List.of("relu", "gated-gelu", "gated-silu", "gated-relu", "gelu",
            "gelu_new", "gated-gelu_new", "silu");

    /** Width of the concatenated heads, {@code num_heads · d_kv}. */
    public int innerDim() {
        return numHeads * dKv;
    }

    public static T5Configuration from(ConfigValues c) {
        int dModel = c.requireInt("d_model");
        int dKv = c.requireInt("d_kv");
        int dFf = c.requireInt("d_ff");
        int layers = c.requireInt("num_layers");
        int decoderLayers = c.integer("num_decoder_layers", layers);
        int heads = c.requireInt("num_heads");
        int vocab = c.requireInt("vocab_size");
        int buckets = c.integer("relative_attention_num_buckets", 32);
        int maxDistance = c.integer("relative_attention_max_distance", 128);
        if (dModel <= 0 || dKv <= 0 || dFf <= 0 || layers <= 0 || decoderLayers <= 0 || heads <= 0 || vocab <= 0
                || buckets < 2 || maxDistance <= 0) {
            throw new EngineException("t5: sizes must be positive (d_model " + dModel + ", d_kv " + dKv + ", d_ff "
                    + dFf + ", num_layers " + layers + ", num_decoder_layers " + decoderLayers + ", num_heads " + heads
                    + ", vocab_size " + vocab + ", relative_attention_num_buckets " + buckets
                    + ", relative_attention_max_distance " + maxDistance + ")");
        }
        if (maxDistance <= buckets / 4) {
            throw new EngineException("t5: relative_attention_max_distance " + maxDistance + " must exceed "
                    + "relative_attention_num_buckets / 4 = " + buckets / 4);
        }
        String ff = c.string("feed_forward_proj", "relu");
        if (!FEED_FORWARD.contains(ff)) {
            throw new EngineException("t5: feed_forward_proj '" + ff + "' is not supported; supported: "
                    + String.join(", ", FEED_FORWARD));
        }
        boolean gated = ff.startsWith("gated-");
        String act = gated ? ff.substring("gated-".length()) : ff;
        if (ff.equals("gated-gelu")) {
            act = "gelu_new"; // HF T5Config: "gated-gelu" means the tanh approximation
        }
        return new T5Configuration(dModel, dKv, dFf, layers, decoderLayers, heads, buckets, maxDistance, vocab,
                c.decimal("layer_norm_epsilon", 1e-6), act, gated, c.flag("tie_word_embeddings", true),
                c.integer("decoder_start_token_id", c.integer("pad_token_id", 0)),
                c.integer("forced_bos_token_id", -1), c.integer("forced_eos_token_id", -1));
    }

    /**
     * HF T5's relative position bucket of {@code relative = key - query}. Bidirectional (encoder): half the buckets for
     * keys after the query; exact buckets for small distances, logarithmic ones up to {@code maxDistance}, the last
     * bucket beyond. Unidirectional (decoder): keys after the query all fall into bucket 0. The logarithm is taken in
     * float32, as PyTorch does.
     */
    public static int bucket(int relative, boolean bidirectional, int numBuckets, int maxDistance) {
        int bucket = 0;
        int n = numBuckets;
        int distance;
        if (bidirectional) {
            n /= 2;
            if (relative > 0) {
                bucket += n;
            }
            distance = Math.abs(relative);
        } else {
            distance = -Math.min(relative, 0);
        }
        int maxExact = n / 2;
        if (distance < maxExact) {
            return bucket + distance;
        }
        float ratio = (float) Math.log((float) distance / maxExact);
        float scaled = ratio / (float) Math.log((double) maxDistance / maxExact) * (n - maxExact);
        int large = maxExact + (int) scaled;
        return bucket + Math.min(large, n - 1);
    }
}
