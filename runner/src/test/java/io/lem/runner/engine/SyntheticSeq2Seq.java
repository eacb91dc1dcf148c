package io.lem.runner.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random-weight T5 and BART models with HuggingFace tensor names and config.json keys, for tests. Weights are drawn
 * from N(0, scale²) with fixed seeds; norm gains around 1.
 */
public final class SyntheticSeq2Seq {

    static {
        SyntheticModels.singleThreadedUnlessConfigured();
    }

    private SyntheticSeq2Seq() {
    }

    /** T5 dims and options; {@code feedForward} is a {@code feed_forward_proj} value. */
    public record T5Spec(int dModel, int dKv, int heads, int dFf, int layers, int decoderLayers, int vocab,
            int buckets, int maxDistance, String feedForward, boolean tied, long seed) {

        /** t5 v1.0 style: ReLU feed-forward, tied head (with the d_model^-0.5 scaling). */
        public static T5Spec v1() {
            return new T5Spec(20, 7, 3, 36, 2, 3, 89, 8, 20, "relu", true, 11);
        }

        /** flan-t5 style: gated-GELU feed-forward, untied head. */
        public static T5Spec flan() {
            return new T5Spec(22, 6, 4, 30, 3, 2, 93, 10, 24, "gated-gelu", false, 12);
        }
    }

    public static SyntheticModels.Model t5(T5Spec s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model_type", "t5");
        c.put("architectures", List.of("T5ForConditionalGeneration"));
        c.put("is_encoder_decoder", true);
        c.put("d_model", s.dModel());
        c.put("d_kv", s.dKv());
        c.put("d_ff", s.dFf());
        c.put("num_heads", s.heads());
        c.put("num_layers", s.layers());
        c.put("num_decoder_layers", s.decoderLayers());
        c.put("vocab_size", s.vocab());
        c.put("relative_attention_num_buckets", s.buckets());
        c.put("relative_attention_max_distance", s.maxDistance());
        c.put("layer_norm_epsilon", 1e-6);
        c.put("feed_forward_proj", s.feedForward());
        c.put("tie_word_embeddings", s.tied());
        c.put("pad_token_id", 0);
        c.put("eos_token_id", 1);
        c.put("decoder_start_token_id", 0);
        Random r = new Random(s.seed());
        TestWeights w = new TestWeights();
        int d = s.dModel();
        int inner = s.heads() * s.dKv();
        boolean gated = s.feedForward().startsWith("gated-");
        w.put("shared.weight", SyntheticModels.normal(r, s.vocab() * d, 1.0), s.vocab(), d);
        for (String stack : List.of("encoder", "decoder")) {
            int layers = stack.equals("encoder") ? s.layers() : s.decoderLayers();
            for (int l = 0; l < layers; l++) {
                String p = stack + ".block." + l + ".layer.";
                List<String> attentions = stack.equals("encoder") ? List.of("0.SelfAttention")
                        : List.of("0.SelfAttention", "1.EncDecAttention");
                for (String a : attentions) {
                    String layer = p + a.substring(0, 2);
                    w.put(layer + "layer_norm.weight", gains(r, d), d);
                    // T5 has no score scaling: keep q·k moderate with small q
                    w.put(p + a + ".q.weight", SyntheticModels.normal(r, inner * d, 0.5 / Math.sqrt(d * s.dKv())),
                            inner, d);
                    w.put(p + a + ".k.weight", SyntheticModels.normal(r, inner * d, 1.5 / Math.sqrt(d)), inner, d);
                    w.put(p + a + ".v.weight", SyntheticModels.normal(r, inner * d, 1.0 / Math.sqrt(d)), inner, d);
                    w.put(p + a + ".o.weight", SyntheticModels.normal(r, d * inner, 1.0 / Math.sqrt(inner)), d,
                            inner);
                    if (l == 0 && a.endsWith("SelfAttention")) {
                        w.put(p + a + ".relative_attention_bias.weight",
                                SyntheticModels.normal(r, s.buckets() * s.heads(), 1.0), s.buckets(), s.heads());
                    }
                }
                String ff = p + (stack.equals("encoder") ? "1." : "2.");
                w.put(ff + "layer_norm.weight", gains(r, d), d);
                if (gated) {
                    w.put(ff + "DenseReluDense.wi_0.weight", SyntheticModels.normal(r, s.dFf() * d, 1 / Math.sqrt(d)),
                            s.dFf(), d);
                    w.put(ff + "DenseReluDense.wi_1.weight", SyntheticModels.normal(r, s.dFf() * d, 1 / Math.sqrt(d)),
                            s.dFf(), d);
                } else {
                    w.put(ff + "DenseReluDense.wi.weight", SyntheticModels.normal(r, s.dFf() * d, 1 / Math.sqrt(d)),
                            s.dFf(), d);
                }
                w.put(ff + "DenseReluDense.wo.weight", SyntheticModels.normal(r, d * s.dFf(), 1 / Math.sqrt(s.dFf())),
                        d, s.dFf());
            }
            w.put(stack + ".final_layer_norm.weight", gains(r, d), d);
        }
        if (!s.tied()) {
            w.put("lm_head.weight", SyntheticModels.normal(r, s.vocab() * d, 1 / Math.sqrt(d)), s.vocab(), d);
        }
        return new SyntheticModels.Model(c, w);
    }

    /** BART dims and options. */
    public record BartSpec(int dModel, int encoderHeads, int decoderHeads, int encoderFfn, int decoderFfn,
            int encoderLayers, int decoderLayers, int vocab, int maxPositions, boolean scaleEmbedding,
            Integer forcedBos, long seed) {

        public static BartSpec small() {
            return new BartSpec(24, 3, 4, 34, 38, 2, 3, 91, 40, false, 0, 13);
        }

        public BartSpec withScaleEmbedding(boolean scale) {
            return new BartSpec(dModel, encoderHeads, decoderHeads, encoderFfn, decoderFfn, encoderLayers,
                    decoderLayers, vocab, maxPositions, scale, forcedBos, seed);
        }
    }

    public static SyntheticModels.Model bart(BartSpec s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model_type", "bart");
        c.put("architectures", List.of("BartForConditionalGeneration"));
        c.put("is_encoder_decoder", true);
        c.put("d_model", s.dModel());
        c.put("encoder_layers", s.encoderLayers());
        c.put("decoder_layers", s.decoderLayers());
        c.put("encoder_attention_heads", s.encoderHeads());
        c.put("decoder_attention_heads", s.decoderHeads());
        c.put("encoder_ffn_dim", s.encoderFfn());
        c.put("decoder_ffn_dim", s.decoderFfn());
        c.put("vocab_size", s.vocab());
        c.put("max_position_embeddings", s.maxPositions());
        c.put("activation_function", "gelu");
        c.put("scale_embedding", s.scaleEmbedding());
        c.put("normalize_before", false);
        c.put("add_final_layer_norm", false);
        c.put("bos_token_id", 0);
        c.put("pad_token_id", 1);
        c.put("eos_token_id", 2);
        c.put("decoder_start_token_id", 2);
        if (s.forcedBos() != null) {
            c.put("forced_bos_token_id", s.forcedBos());
        }
        Random r = new Random(s.seed());
        TestWeights w = new TestWeights();
        int d = s.dModel();
        int positions = s.maxPositions() + 2;
        w.put("model.shared.weight", SyntheticModels.normal(r, s.vocab() * d, 1.0), s.vocab(), d);
        for (String stack : List.of("encoder", "decoder")) {
            String e = "model." + stack + ".";
            boolean decoder = stack.equals("decoder");
            int layers = decoder ? s.decoderLayers() : s.encoderLayers();
            int ffn = decoder ? s.decoderFfn() : s.encoderFfn();
            w.put(e + "embed_positions.weight", SyntheticModels.normal(r, positions * d, 0.5), positions, d);
            norm(w, r, e + "layernorm_embedding", d);
            for (int l = 0; l < layers; l++) {
                String p = e + "layers." + l + ".";
                for (String a : decoder ? List.of("self_attn", "encoder_attn") : List.of("self_attn")) {
                    for (String proj : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                        double std = proj.equals("q_proj") || proj.equals("k_proj") ? 2 / Math.sqrt(d)
                                : 1 / Math.sqrt(d);
                        w.put(p + a + "." + proj + ".weight", SyntheticModels.normal(r, d * d, std), d, d);
                        w.put(p + a + "." + proj + ".bias", SyntheticModels.normal(r, d, 0.2), d);
                    }
                    norm(w, r, p + a + "_layer_norm", d);
                }
                w.put(p + "fc1.weight", SyntheticModels.normal(r, ffn * d, 1 / Math.sqrt(d)), ffn, d);
                w.put(p + "fc1.bias", SyntheticModels.normal(r, ffn, 0.2), ffn);
                w.put(p + "fc2.weight", SyntheticModels.normal(r, d * ffn, 1 / Math.sqrt(ffn)), d, ffn);
                w.put(p + "fc2.bias", SyntheticModels.normal(r, d, 0.2), d);
                norm(w, r, p + "final_layer_norm", d);
            }
        }
        w.put("final_logits_bias", SyntheticModels.normal(r, s.vocab(), 0.5), 1, s.vocab());
        return new SyntheticModels.Model(c, w);
    }

    private static void norm(TestWeights w, Random r, String name, int d) {
        w.put(name + ".weight", gains(r, d), d);
        w.put(name + ".bias", SyntheticModels.normal(r, d, 0.1), d);
    }

    private static float[] gains(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (1.0 + 0.2 * r.nextGaussian());
        }
        return v;
    }
}
