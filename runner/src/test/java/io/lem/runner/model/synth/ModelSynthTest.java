package io.lem.runner.model.synth;

import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.hub.HubSettings;
import io.lem.runner.model.hub.ModelResolver;
import io.lem.runner.model.safetensors.SafetensorsStore;
import io.lem.runner.model.safetensors.WeightNames;
import io.lem.runner.model.tokenizer.LemTokenizer;
import io.lem.runner.model.weights.DType;
import io.lem.runner.model.weights.TensorInfo;
import io.lem.runner.model.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelSynthTest {

    @TempDir
    Path dir;

    /** Resolves like a user would: the directory as the model name, with a hub that must not be used. */
    private static ModelFiles resolveLocal(Path modelDir) throws IOException {
        HubSettings offline = HubSettings.fromEnv(Map.of("HF_HUB_OFFLINE", "1", "HF_HUB_CACHE", "/nonexistent"));
        return ModelResolver.resolve(modelDir.toString(), null, offline);
    }

    /** The tensors HF's LlamaForCausalLM / Qwen2ForCausalLM saves, written out independently of ModelSynth. */
    private static Map<String, List<Long>> expectedLlama(SynthSpec s) {
        Map<String, List<Long>> m = new LinkedHashMap<>();
        long h = s.hidden();
        long kv = (long) s.kvHeads() * (s.hidden() / s.heads());
        long i = s.intermediate();
        m.put("model.embed_tokens.weight", List.of((long) s.vocab(), h));
        for (int l = 0; l < s.layers(); l++) {
            String p = "model.layers." + l + ".";
            m.put(p + "self_attn.q_proj.weight", List.of(h, h));
            m.put(p + "self_attn.k_proj.weight", List.of(kv, h));
            m.put(p + "self_attn.v_proj.weight", List.of(kv, h));
            m.put(p + "self_attn.o_proj.weight", List.of(h, h));
            if (s.qkvBias()) {
                m.put(p + "self_attn.q_proj.bias", List.of(h));
                m.put(p + "self_attn.k_proj.bias", List.of(kv));
                m.put(p + "self_attn.v_proj.bias", List.of(kv));
            }
            m.put(p + "mlp.gate_proj.weight", List.of(i, h));
            m.put(p + "mlp.up_proj.weight", List.of(i, h));
            m.put(p + "mlp.down_proj.weight", List.of(h, i));
            m.put(p + "input_layernorm.weight", List.of(h));
            m.put(p + "post_attention_layernorm.weight", List.of(h));
        }
        m.put("model.norm.weight", List.of(h));
        if (!s.tiedEmbeddings()) {
            m.put("lm_head.weight", List.of((long) s.vocab(), h));
        }
        return m;
    }

    private static Map<String, List<Long>> expectedGpt2(SynthSpec s) {
        Map<String, List<Long>> m = new LinkedHashMap<>();
        long h = s.hidden();
        long i = s.intermediate();
        long p = s.maxPositions();
        m.put("transformer.wte.weight", List.of((long) s.vocab(), h));
        m.put("transformer.wpe.weight", List.of(p, h));
        for (int l = 0; l < s.layers(); l++) {
            String b = "transformer.h." + l + ".";
            m.put(b + "ln_1.weight", List.of(h));
            m.put(b + "ln_1.bias", List.of(h));
            m.put(b + "attn.bias", List.of(1L, 1L, p, p));
            m.put(b + "attn.c_attn.weight", List.of(h, 3 * h));
            m.put(b + "attn.c_attn.bias", List.of(3 * h));
            m.put(b + "attn.c_proj.weight", List.of(h, h));
            m.put(b + "attn.c_proj.bias", List.of(h));
            m.put(b + "ln_2.weight", List.of(h));
            m.put(b + "ln_2.bias", List.of(h));
            m.put(b + "mlp.c_fc.weight", List.of(h, i));
            m.put(b + "mlp.c_fc.bias", List.of(i));
            m.put(b + "mlp.c_proj.weight", List.of(i, h));
            m.put(b + "mlp.c_proj.bias", List.of(h));
        }
        m.put("transformer.ln_f.weight", List.of(h));
        m.put("transformer.ln_f.bias", List.of(h));
        if (!s.tiedEmbeddings()) {
            m.put("lm_head.weight", List.of((long) s.vocab(), h));
        }
        return m;
    }

    private static Map<String, List<Long>> shapes(WeightStore store) {
        Map<String, List<Long>> m = new LinkedHashMap<>();
        for (String n : store.names()) {
            List<Long> shape = new ArrayList<>();
            for (long d : store.info(n).shape()) {
                shape.add(d);
            }
            m.put(n, shape);
        }
        return m;
    }

    private static long parameters(WeightStore store) {
        return store.names().stream().filter(n -> !WeightNames.isNonWeightBuffer(n))
                .mapToLong(n -> store.info(n).elementCount()).sum();
    }

    private void checkModel(SynthSpec spec, Map<String, List<Long>> expected, long analyticParams)
            throws IOException {
        Path out = ModelSynth.write(spec, dir.resolve(spec.modelType() + "-" + spec.dtype()));
        ModelFiles files = resolveLocal(out);
        assertThat(files.fromHub()).isFalse();
        assertThat(files.modelType()).isEqualTo(spec.modelType());
        try (SafetensorsStore store = files.openWeights()) {
            if (expected != null) {
                assertThat(shapes(store)).containsExactlyInAnyOrderEntriesOf(expected);
            }
            for (String n : store.names()) {
                assertThat(store.info(n).dtype()).isEqualTo(spec.dtype());
            }
            assertThat(parameters(store)).isEqualTo(spec.parameterCount()).isEqualTo(analyticParams);
            assertThat(store.metadata()).containsEntry("format", "pt");
        }
        try (LemTokenizer tok = LemTokenizer.load(files)) {
            String text = "Synthetic models speak UTF-8: ünïcödé, 中文, 🚀\n\tand more";
            assertThat(tok.decode(tok.encode(text), true)).isEqualTo(text);
            assertThat(tok.vocabSize()).isEqualTo(spec.vocab());
            assertThat(tok.eosTokenIds()).hasSize(1);
            assertThat(tok.eosTokenIds()[0]).isLessThan(spec.vocab());
        }
    }

    @Test
    void llamaDefaults() throws IOException {
        SynthSpec s = SynthSpec.defaults("llama");
        // 320*64 embed + 2 layers * (64*64*2 + 2*64*32 + 3*64*128 + 2*64) + 64 + 320*64 lm_head
        checkModel(s, expectedLlama(s), 20480 + 2 * (8192 + 4096 + 24576 + 128) + 64 + 20480);
        Map<String, Object> c = ModelFiles.local(dir.resolve("llama-F32")).config();
        assertThat(c).containsEntry("architectures", List.of("LlamaForCausalLM"))
                .containsEntry("model_type", "llama").containsEntry("hidden_size", 64)
                .containsEntry("intermediate_size", 128).containsEntry("num_hidden_layers", 2)
                .containsEntry("num_attention_heads", 4).containsEntry("num_key_value_heads", 2)
                .containsEntry("head_dim", 16).containsEntry("rms_norm_eps", 1e-05)
                .containsEntry("rope_theta", 10000.0).containsEntry("max_position_embeddings", 256)
                .containsEntry("vocab_size", 320).containsEntry("tie_word_embeddings", false)
                .containsEntry("bos_token_id", 1).containsEntry("eos_token_id", 2)
                .containsEntry("torch_dtype", "float32").containsEntry("hidden_act", "silu");
        assertThat(new ArrayList<>(c.keySet())).isSorted();
        assertThat(ModelFiles.local(dir.resolve("llama-F32")).generationConfig())
                .containsEntry("bos_token_id", 1).containsEntry("eos_token_id", 2);
        assertThat(Files.readString(dir.resolve("llama-F32/config.json"))).contains("\"hidden_size\": 64,\n");
    }

    @Test
    void llamaWithQkvBiasIsAQwen2Model() throws IOException {
        SynthSpec d = SynthSpec.defaults("llama");
        SynthSpec s = new SynthSpec("llama", 64, 2, 4, 2, 128, 320, 256, true, true, DType.BF16, 3);
        checkModel(s, expectedLlama(s), 20480 + 2 * (8192 + 4096 + 24576 + 128 + 64 + 2 * 32) + 64);
        Map<String, Object> c = ModelFiles.local(dir.resolve("qwen2-BF16")).config();
        assertThat(c).containsEntry("architectures", List.of("Qwen2ForCausalLM"))
                .containsEntry("model_type", "qwen2").containsEntry("tie_word_embeddings", true)
                .containsEntry("torch_dtype", "bfloat16");
        assertThat(d.qkvBias()).isFalse();
    }

    @Test
    void gpt2Defaults() throws IOException {
        SynthSpec s = SynthSpec.defaults("gpt2");
        // wte 320*64 + wpe 256*64 + 2 layers * (4*64 + 64*192+192 + 64*64+64 + 64*256+256 + 256*64+64) + 2*64
        checkModel(s, expectedGpt2(s), 20480 + 16384 + 2 * (256 + 12480 + 4160 + 16640 + 16448) + 128);
        Path out = dir.resolve("gpt2-F32");
        Map<String, Object> c = ModelFiles.local(out).config();
        assertThat(c).containsEntry("architectures", List.of("GPT2LMHeadModel"))
                .containsEntry("model_type", "gpt2").containsEntry("n_embd", 64).containsEntry("n_layer", 2)
                .containsEntry("n_head", 4).containsEntry("n_inner", 256).containsEntry("n_positions", 256)
                .containsEntry("n_ctx", 256).containsEntry("vocab_size", 320)
                .containsEntry("layer_norm_epsilon", 1e-05).containsEntry("activation_function", "gelu_new")
                .containsEntry("tie_word_embeddings", true);
        try (WeightStore store = ModelFiles.local(out).openWeights()) {
            float[] mask = store.floats("transformer.h.1.attn.bias");
            assertThat(mask[0]).isEqualTo(1f);
            assertThat(mask[1]).isEqualTo(0f);           // row 0 sees only column 0
            assertThat(mask[256 + 1]).isEqualTo(1f);     // row 1 sees column 1
            assertThat(mask[256 * 256 - 1]).isEqualTo(1f);
            assertThat(store.floats("transformer.h.0.ln_1.weight")).containsOnly(1f);
            assertThat(store.floats("transformer.h.0.ln_1.bias")).containsOnly(0f);
        }
    }

    @Test
    void t5DefaultsAreFlanStyleAndTiedT5IsV1Style() throws IOException {
        SynthSpec flan = SynthSpec.defaults("t5");
        // shared 320*64 + lm_head 320*64 + 2 encoder layers * (4*64*64 + 64 + 3*64*128 + 64)
        // + 2 decoder layers * (8*64*64 + 2*64 + 3*64*128 + 64) + 2 stacks * (32*4 bias + 64 final norm)
        long flanParams = 2 * 20480 + 2 * (16384 + 128 + 24576) + 2 * (32768 + 192 + 24576) + 2 * (128 + 64);
        checkModel(flan, null, flanParams);
        Map<String, Object> c = ModelFiles.local(dir.resolve("t5-F32")).config();
        assertThat(c).containsEntry("architectures", List.of("T5ForConditionalGeneration"))
                .containsEntry("model_type", "t5").containsEntry("d_model", 64).containsEntry("d_kv", 16)
                .containsEntry("d_ff", 128).containsEntry("num_heads", 4).containsEntry("num_layers", 2)
                .containsEntry("num_decoder_layers", 2).containsEntry("feed_forward_proj", "gated-gelu")
                .containsEntry("tie_word_embeddings", false).containsEntry("is_encoder_decoder", true)
                .containsEntry("pad_token_id", 0).containsEntry("eos_token_id", 1)
                .containsEntry("decoder_start_token_id", 0).doesNotContainKey("bos_token_id");
        SynthSpec v1 = new SynthSpec("t5", 64, 2, 4, 4, 128, 320, 512, true, false, DType.F16, 5);
        checkModel(v1, null, flanParams - 20480 - 4 * 64 * 128);
        assertThat(ModelFiles.local(dir.resolve("t5-F16")).config()).containsEntry("feed_forward_proj", "relu");
    }

    @Test
    void bartDefaults() throws IOException {
        SynthSpec s = SynthSpec.defaults("bart");
        // shared 320*64 + 2 stacks * (258*64 positions + 128 layernorm_embedding)
        // + 2 encoder layers * (attention 4*(64*64+64) + 128, ffn 64*256+256 + 256*64+64 + 128)
        // + 2 decoder layers * (2 attentions + ffn); final_logits_bias is a buffer
        long attention = 4 * (4096 + 64) + 128;
        long ffn = 16640 + 16448 + 128;
        checkModel(s, null, 20480 + 2 * (16512 + 128) + 2 * (attention + ffn) + 2 * (2 * attention + ffn));
        Path out = dir.resolve("bart-F32");
        assertThat(ModelFiles.local(out).config()).containsEntry("model_type", "bart")
                .containsEntry("decoder_start_token_id", 2).containsEntry("forced_bos_token_id", 0)
                .containsEntry("pad_token_id", 1).containsEntry("bos_token_id", 0).containsEntry("eos_token_id", 2)
                .containsEntry("max_position_embeddings", 256).containsEntry("is_encoder_decoder", true);
        try (WeightStore store = ModelFiles.local(out).openWeights()) {
            assertThat(store.info("final_logits_bias").shape()).containsExactly(1, 320);
            assertThat(store.floats("final_logits_bias")).containsOnly(0f);
        }
    }

    @Test
    void weightsAreDeterministicSmallNormalsAndNormsAreOne() throws IOException {
        SynthSpec s = SynthSpec.defaults("llama");
        Path a = ModelSynth.write(s, dir.resolve("a"));
        Path b = ModelSynth.write(s, dir.resolve("b"));
        Path c = ModelSynth.write(s.withSeed(43), dir.resolve("c"));
        assertThat(Files.readAllBytes(a.resolve("model.safetensors")))
                .isEqualTo(Files.readAllBytes(b.resolve("model.safetensors")))
                .isNotEqualTo(Files.readAllBytes(c.resolve("model.safetensors")));
        try (WeightStore store = ModelFiles.local(a).openWeights()) {
            float[] w = store.floats("model.embed_tokens.weight");
            double sum = 0;
            double sq = 0;
            for (float v : w) {
                sum += v;
                sq += v * v;
            }
            double mean = sum / w.length;
            double std = Math.sqrt(sq / w.length - mean * mean);
            assertThat(mean).isBetween(-0.001, 0.001);
            assertThat(std).isBetween(0.019, 0.021);
            assertThat(store.floats("model.layers.1.input_layernorm.weight")).containsOnly(1f);
            assertThat(store.floats("model.norm.weight")).containsOnly(1f);
            assertThat(store.floats("model.layers.0.self_attn.q_proj.weight"))
                    .isNotEqualTo(store.floats("model.layers.1.self_attn.q_proj.weight"));
        }
    }

    @Test
    void sixteenBitDtypesAreWrittenAsSuch() throws IOException {
        for (DType d : List.of(DType.F16, DType.BF16)) {
            SynthSpec s = SynthSpec.defaults("gpt2").withDtype(d);
            checkModel(s, expectedGpt2(s), s.parameterCount());
            assertThat(ModelFiles.local(dir.resolve("gpt2-" + d)).config())
                    .containsEntry("torch_dtype", d == DType.F16 ? "float16" : "bfloat16");
        }
    }

    @Test
    void smolLM2SizedModelIsWrittenInSeconds() throws IOException {
        SynthSpec s = SynthSpec.smollm2_135m();
        assertThat(s.parameterCount()).isEqualTo(134_515_008L);
        long start = System.nanoTime();
        Path out = ModelSynth.write(s, dir.resolve("smol"));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(seconds).as("seconds to write SmolLM2-135M dims").isLessThan(20);
        assertThat(Files.size(out.resolve("model.safetensors"))).isBetween(2 * 134_515_008L,
                2 * 134_515_008L + 100_000);
        try (SafetensorsStore store = resolveLocal(out).openWeights()) {
            assertThat(shapes(store)).containsExactlyInAnyOrderEntriesOf(expectedLlama(s));
            assertThat(parameters(store)).isEqualTo(134_515_008L);
            TensorInfo embed = store.info("model.embed_tokens.weight");
            assertThat(embed.shape()).containsExactly(49152, 576);
            assertThat(embed.dtype()).isEqualTo(DType.BF16);
        }
        try (LemTokenizer tok = LemTokenizer.load(ModelFiles.local(out))) {
            assertThat(tok.vocabSize()).isEqualTo(49152);
        }
    }

    @Test
    void invalidSpecsAndTargetsAreRejected() throws IOException {
        assertThatThrownBy(() -> SynthSpec.defaults("bert")).hasMessageContaining("llama, gpt2, t5, bart");
        assertThatThrownBy(() -> new SynthSpec("bart", 64, 2, 4, 4, 128, 320, 256, false, true, DType.F32, 1))
                .hasMessageContaining("always tied");
        assertThatThrownBy(() -> new SynthSpec("t5", 64, 2, 4, 4, 128, 320, 256, false, true, DType.F32, 1))
                .hasMessageContaining("no attention biases");
        assertThatThrownBy(() -> new SynthSpec("llama", 65, 2, 4, 2, 128, 320, 256, false, false, DType.F32, 1))
                .hasMessageContaining("multiple of heads");
        assertThatThrownBy(() -> new SynthSpec("llama", 64, 2, 4, 3, 128, 320, 256, false, false, DType.F32, 1))
                .hasMessageContaining("multiple of kvHeads");
        assertThatThrownBy(() -> new SynthSpec("gpt2", 64, 2, 4, 2, 128, 320, 256, true, true, DType.F32, 1))
                .hasMessageContaining("kvHeads must equal heads");
        assertThatThrownBy(() -> new SynthSpec("llama", 64, 2, 4, 2, 128, 100, 256, false, false, DType.F32, 1))
                .hasMessageContaining("vocab (100) must be at least " + SynthSpec.minVocab("llama"));
        Path taken = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(taken.resolve("keep.txt"), "mine");
        assertThatThrownBy(() -> ModelSynth.write(SynthSpec.defaults("llama"), taken))
                .hasMessageContaining("is not empty");
        assertThat(ModelSynth.tensors(SynthSpec.defaults("gpt2"))).hasSize(2 + 2 * 13 + 2);
    }
}
