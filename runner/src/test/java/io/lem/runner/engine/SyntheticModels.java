package io.lem.runner.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Random-weight models of both families with HuggingFace tensor names and config.json keys, for tests. Weights are
 * drawn from N(0, scale²) with fixed seeds; norm gains around 1.
 */
public final class SyntheticModels {

    static {
        singleThreadedUnlessConfigured();
    }

    private SyntheticModels() {
    }

    /**
     * Tests run PyTorch with one intra-op thread unless {@code ai.djl.pytorch.num_threads} is set: the test models are
     * tiny, and on a shared, oversubscribed CI machine two OpenMP threads that must meet at every op's barrier made
     * a decode step ~20× slower (75 ms vs 4 ms measured here at load average 11 on 2 cores). Production uses the
     * core count ({@link InferenceEngine#pytorch()}). Call before the engine first loads.
     */
    public static void singleThreadedUnlessConfigured() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
    }

    /** A config plus its weights. */
    public record Model(Map<String, Object> config, TestWeights weights) {
    }

    /** Llama-family dims and options. */
    public record LlamaSpec(String modelType, int hidden, int heads, int kvHeads, int headDim, int intermediate,
            int layers, int vocab, boolean tied, boolean qkvBias, int maxPositions, Map<String, Object> ropeScaling,
            Integer slidingWindow, long seed) {

        public static LlamaSpec small() {
            return new LlamaSpec("llama", 24, 3, 1, 8, 40, 2, 97, true, false, 128, null, null, 1);
        }

        public LlamaSpec withType(String type, boolean qkvBias) {
            return new LlamaSpec(type, hidden, heads, kvHeads, headDim, intermediate, layers, vocab, tied, qkvBias,
                    maxPositions, ropeScaling, slidingWindow, seed);
        }

        public LlamaSpec withTied(boolean t) {
            return new LlamaSpec(modelType, hidden, heads, kvHeads, headDim, intermediate, layers, vocab, t, qkvBias,
                    maxPositions, ropeScaling, slidingWindow, seed);
        }

        public LlamaSpec withHeads(int h, int kv, int hd) {
            return new LlamaSpec(modelType, hidden, h, kv, hd, intermediate, layers, vocab, tied, qkvBias,
                    maxPositions, ropeScaling, slidingWindow, seed);
        }

        public LlamaSpec withRopeScaling(Map<String, Object> s) {
            return new LlamaSpec(modelType, hidden, heads, kvHeads, headDim, intermediate, layers, vocab, tied,
                    qkvBias, maxPositions, s, slidingWindow, seed);
        }

        public LlamaSpec withSlidingWindow(Integer w) {
            return new LlamaSpec(modelType, hidden, heads, kvHeads, headDim, intermediate, layers, vocab, tied,
                    qkvBias, maxPositions, ropeScaling, w, seed);
        }

        public LlamaSpec withSizes(int h, int inter, int layers, int vocab) {
            return new LlamaSpec(modelType, h, heads, kvHeads, headDim, inter, layers, vocab, tied, qkvBias,
                    maxPositions, ropeScaling, slidingWindow, seed);
        }

        public LlamaSpec withSeed(long s) {
            return new LlamaSpec(modelType, hidden, heads, kvHeads, headDim, intermediate, layers, vocab, tied,
                    qkvBias, maxPositions, ropeScaling, slidingWindow, s);
        }
    }

    public static Model llama(LlamaSpec s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model_type", s.modelType());
        c.put("architectures", java.util.List.of("LlamaForCausalLM"));
        c.put("hidden_size", s.hidden());
        c.put("intermediate_size", s.intermediate());
        c.put("num_hidden_layers", s.layers());
        c.put("num_attention_heads", s.heads());
        c.put("num_key_value_heads", s.kvHeads());
        if (s.headDim() != s.hidden() / s.heads()) {
            c.put("head_dim", s.headDim());
        }
        c.put("vocab_size", s.vocab());
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        c.put("rope_scaling", s.ropeScaling());
        c.put("max_position_embeddings", s.maxPositions());
        c.put("tie_word_embeddings", s.tied());
        c.put("hidden_act", "silu");
        if (s.slidingWindow() != null) {
            c.put("sliding_window", s.slidingWindow());
        }
        Random r = new Random(s.seed());
        TestWeights w = new TestWeights();
        int h = s.hidden();
        int q = s.heads() * s.headDim();
        int kv = s.kvHeads() * s.headDim();
        w.put("model.embed_tokens.weight", normal(r, s.vocab() * h, 1.0), s.vocab(), h);
        for (int l = 0; l < s.layers(); l++) {
            String p = "model.layers." + l + ".";
            w.put(p + "input_layernorm.weight", gains(r, h), h);
            w.put(p + "post_attention_layernorm.weight", gains(r, h), h);
            double in = 1.0 / Math.sqrt(h);
            w.put(p + "self_attn.q_proj.weight", normal(r, q * h, 2 * in), q, h);
            w.put(p + "self_attn.k_proj.weight", normal(r, kv * h, 2 * in), kv, h);
            w.put(p + "self_attn.v_proj.weight", normal(r, kv * h, in), kv, h);
            w.put(p + "self_attn.o_proj.weight", normal(r, h * q, 1.0 / Math.sqrt(q)), h, q);
            if (s.qkvBias()) {
                w.put(p + "self_attn.q_proj.bias", normal(r, q, 0.3), q);
                w.put(p + "self_attn.k_proj.bias", normal(r, kv, 0.3), kv);
                w.put(p + "self_attn.v_proj.bias", normal(r, kv, 0.3), kv);
            }
            w.put(p + "mlp.gate_proj.weight", normal(r, s.intermediate() * h, in), s.intermediate(), h);
            w.put(p + "mlp.up_proj.weight", normal(r, s.intermediate() * h, in), s.intermediate(), h);
            w.put(p + "mlp.down_proj.weight", normal(r, h * s.intermediate(), 1.0 / Math.sqrt(s.intermediate())), h,
                    s.intermediate());
        }
        w.put("model.norm.weight", gains(r, h), h);
        if (!s.tied()) {
            w.put("lm_head.weight", normal(r, s.vocab() * h, in(h)), s.vocab(), h);
        }
        return new Model(c, w);
    }

    /** GPT-2 dims and options. */
    public record Gpt2Spec(int hidden, int heads, int inner, int layers, int vocab, int positions, boolean prefixed,
            boolean withBuffers, long seed) {

        public static Gpt2Spec small() {
            return new Gpt2Spec(24, 3, 40, 2, 97, 64, true, true, 2);
        }

        public Gpt2Spec withPrefixed(boolean p) {
            return new Gpt2Spec(hidden, heads, inner, layers, vocab, positions, p, withBuffers, seed);
        }
    }

    public static Model gpt2(Gpt2Spec s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model_type", "gpt2");
        c.put("activation_function", "gelu_new");
        c.put("n_embd", s.hidden());
        c.put("n_head", s.heads());
        c.put("n_layer", s.layers());
        c.put("n_inner", s.inner());
        c.put("n_positions", s.positions());
        c.put("n_ctx", s.positions());
        c.put("vocab_size", s.vocab());
        c.put("layer_norm_epsilon", 1e-5);
        Random r = new Random(s.seed());
        TestWeights w = new TestWeights();
        String pre = s.prefixed() ? "transformer." : "";
        int h = s.hidden();
        w.put(pre + "wte.weight", normal(r, s.vocab() * h, 1.0), s.vocab(), h);
        w.put(pre + "wpe.weight", normal(r, s.positions() * h, 0.5), s.positions(), h);
        for (int l = 0; l < s.layers(); l++) {
            String p = pre + "h." + l + ".";
            w.put(p + "ln_1.weight", gains(r, h), h);
            w.put(p + "ln_1.bias", normal(r, h, 0.1), h);
            w.put(p + "attn.c_attn.weight", normal(r, h * 3 * h, 2 * in(h)), h, 3L * h);
            w.put(p + "attn.c_attn.bias", normal(r, 3 * h, 0.2), 3L * h);
            w.put(p + "attn.c_proj.weight", normal(r, h * h, in(h)), h, h);
            w.put(p + "attn.c_proj.bias", normal(r, h, 0.1), h);
            w.put(p + "ln_2.weight", gains(r, h), h);
            w.put(p + "ln_2.bias", normal(r, h, 0.1), h);
            w.put(p + "mlp.c_fc.weight", normal(r, h * s.inner(), in(h)), h, s.inner());
            w.put(p + "mlp.c_fc.bias", normal(r, s.inner(), 0.1), s.inner());
            w.put(p + "mlp.c_proj.weight", normal(r, s.inner() * h, in(s.inner())), s.inner(), h);
            w.put(p + "mlp.c_proj.bias", normal(r, h, 0.1), h);
            if (s.withBuffers()) {
                // non-weight buffers some exports carry: must be ignored
                w.put(p + "attn.bias", new float[s.positions() * s.positions()], 1, 1, s.positions(), s.positions());
                w.put(p + "attn.masked_bias", new float[] {-1e4f});
            }
        }
        w.put(pre + "ln_f.weight", gains(r, h), h);
        w.put(pre + "ln_f.bias", normal(r, h, 0.1), h);
        return new Model(c, w);
    }

    private static double in(int fanIn) {
        return 1.0 / Math.sqrt(fanIn);
    }

    static float[] normal(Random r, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return v;
    }

    private static float[] gains(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (1.0 + 0.2 * r.nextGaussian());
        }
        return v;
    }
}
