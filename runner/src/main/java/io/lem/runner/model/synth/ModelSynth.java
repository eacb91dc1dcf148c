package io.lem.runner.model.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import io.lem.runner.model.safetensors.SafetensorsWriter;
import io.lem.runner.model.safetensors.SafetensorsWriter.TensorSpec;
import io.lem.runner.model.weights.DType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes a synthetic HuggingFace model directory: {@code config.json} as transformers writes it for the model type,
 * {@code generation_config.json}, {@code model.safetensors} with deterministic random weights and HF tensor names, and
 * a byte-level BPE tokenizer ({@code tokenizer.json}, {@code tokenizer_config.json}, {@code special_tokens_map.json}).
 *
 * <p>Architectures: llama (or qwen2), gpt2, t5 and bart; see {@link SynthSpec}.
 *
 * <p>Weights: matrices, embeddings and biases ~ N(0, 0.02) (a sum of four uniforms: cheap and close to normal),
 * RMSNorm/LayerNorm weights 1, LayerNorm biases 0; GPT-2 also gets its {@code attn.bias} causal-mask buffer
 * {@code [1, 1, n_positions, n_positions]} as real checkpoints have it. Each tensor's values depend only on the seed
 * and the tensor's name. Weights are streamed to the file in chunks, so a SmolLM2-135M-sized model takes a few
 * seconds and little memory.
 */
public final class ModelSynth {

    static final String TRANSFORMERS_VERSION = "4.46.3";
    private static final float STD = 0.02f;
    private static final int CHUNK = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private enum Init { NORMAL, ONES, ZEROS, CAUSAL_MASK }

    private record Planned(TensorSpec spec, Init init) {
    }

    private ModelSynth() {
    }

    /**
     * Writes the model into {@code outDir}, which must not exist or be empty.
     *
     * @return {@code outDir}
     */
    public static Path write(SynthSpec spec, Path outDir) throws IOException {
        if (Files.isDirectory(outDir)) {
            try (Stream<Path> s = Files.list(outDir)) {
                if (s.findAny().isPresent()) {
                    throw new IOException("output directory " + outDir + " is not empty");
                }
            }
        } else if (Files.exists(outDir)) {
            throw new IOException("output path " + outDir + " is a file");
        }
        Files.createDirectories(outDir);
        writeJson(outDir.resolve("config.json"), config(spec));
        writeJson(outDir.resolve("generation_config.json"), generationConfig(spec));
        SynthTokenizer.write(spec, outDir);
        writeWeights(spec, outDir.resolve("model.safetensors"));
        return outDir;
    }

    /** JSON as Python's {@code json.dumps(indent=2)} lays it out ({@code "key": value}), with a final newline. */
    static void writeJson(Path file, Object value) throws IOException {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        Files.writeString(file, JSON.writer(printer).writeValueAsString(value) + "\n", StandardCharsets.UTF_8);
    }

    /** Tensor names, dtypes and shapes of {@code model.safetensors}, in file order. */
    public static List<TensorSpec> tensors(SynthSpec spec) {
        List<TensorSpec> out = new ArrayList<>();
        for (Planned p : plan(spec)) {
            out.add(p.spec());
        }
        return out;
    }

    private static List<Planned> plan(SynthSpec s) {
        List<Planned> t = new ArrayList<>();
        DType d = s.dtype();
        long h = s.hidden();
        long i = s.intermediate();
        long v = s.vocab();
        if (s.arch().equals(SynthSpec.T5)) {
            planT5(t, s);
            return t;
        }
        if (s.arch().equals(SynthSpec.BART)) {
            planBart(t, s);
            return t;
        }
        if (s.arch().equals(SynthSpec.GPT2)) {
            add(t, "transformer.wte.weight", d, Init.NORMAL, v, h);
            add(t, "transformer.wpe.weight", d, Init.NORMAL, s.maxPositions(), h);
            for (int l = 0; l < s.layers(); l++) {
                String p = "transformer.h." + l + ".";
                add(t, p + "ln_1.weight", d, Init.ONES, h);
                add(t, p + "ln_1.bias", d, Init.ZEROS, h);
                add(t, p + "attn.bias", d, Init.CAUSAL_MASK, 1, 1, s.maxPositions(), s.maxPositions());
                add(t, p + "attn.c_attn.weight", d, Init.NORMAL, h, 3 * h);
                add(t, p + "attn.c_attn.bias", d, Init.NORMAL, 3 * h);
                add(t, p + "attn.c_proj.weight", d, Init.NORMAL, h, h);
                add(t, p + "attn.c_proj.bias", d, Init.NORMAL, h);
                add(t, p + "ln_2.weight", d, Init.ONES, h);
                add(t, p + "ln_2.bias", d, Init.ZEROS, h);
                add(t, p + "mlp.c_fc.weight", d, Init.NORMAL, h, i);
                add(t, p + "mlp.c_fc.bias", d, Init.NORMAL, i);
                add(t, p + "mlp.c_proj.weight", d, Init.NORMAL, i, h);
                add(t, p + "mlp.c_proj.bias", d, Init.NORMAL, h);
            }
            add(t, "transformer.ln_f.weight", d, Init.ONES, h);
            add(t, "transformer.ln_f.bias", d, Init.ZEROS, h);
        } else {
            long kv = (long) s.kvHeads() * s.headDim();
            add(t, "model.embed_tokens.weight", d, Init.NORMAL, v, h);
            for (int l = 0; l < s.layers(); l++) {
                String p = "model.layers." + l + ".";
                add(t, p + "input_layernorm.weight", d, Init.ONES, h);
                add(t, p + "self_attn.q_proj.weight", d, Init.NORMAL, h, h);
                if (s.qkvBias()) {
                    add(t, p + "self_attn.q_proj.bias", d, Init.NORMAL, h);
                }
                add(t, p + "self_attn.k_proj.weight", d, Init.NORMAL, kv, h);
                if (s.qkvBias()) {
                    add(t, p + "self_attn.k_proj.bias", d, Init.NORMAL, kv);
                }
                add(t, p + "self_attn.v_proj.weight", d, Init.NORMAL, kv, h);
                if (s.qkvBias()) {
                    add(t, p + "self_attn.v_proj.bias", d, Init.NORMAL, kv);
                }
                add(t, p + "self_attn.o_proj.weight", d, Init.NORMAL, h, h);
                add(t, p + "post_attention_layernorm.weight", d, Init.ONES, h);
                add(t, p + "mlp.gate_proj.weight", d, Init.NORMAL, i, h);
                add(t, p + "mlp.up_proj.weight", d, Init.NORMAL, i, h);
                add(t, p + "mlp.down_proj.weight", d, Init.NORMAL, h, i);
            }
            add(t, "model.norm.weight", d, Init.ONES, h);
        }
        if (!s.tiedEmbeddings()) {
            add(t, "lm_head.weight", d, Init.NORMAL, v, h);
        }
        return t;
    }

    /** T5ForConditionalGeneration's tensors (its tied {@code encoder/decoder.embed_tokens} copies are not saved). */
    private static void planT5(List<Planned> t, SynthSpec s) {
        DType d = s.dtype();
        long h = s.hidden();
        long i = s.intermediate();
        add(t, "shared.weight", d, Init.NORMAL, s.vocab(), h);
        for (String stack : List.of("encoder", "decoder")) {
            boolean decoder = stack.equals("decoder");
            for (int l = 0; l < s.layers(); l++) {
                String p = stack + ".block." + l + ".layer.";
                List<String> attentions = decoder ? List.of("0.SelfAttention", "1.EncDecAttention")
                        : List.of("0.SelfAttention");
                for (String a : attentions) {
                    for (String proj : List.of("q", "k", "v", "o")) {
                        add(t, p + a + "." + proj + ".weight", d, Init.NORMAL, h, h);
                    }
                    if (l == 0 && a.endsWith("SelfAttention")) {
                        add(t, p + a + ".relative_attention_bias.weight", d, Init.NORMAL, SynthSpec.T5_BUCKETS,
                                s.heads());
                    }
                    add(t, p + a.substring(0, 2) + "layer_norm.weight", d, Init.ONES, h);
                }
                String ff = p + (decoder ? "2." : "1.") + "DenseReluDense.";
                if (s.tiedEmbeddings()) {
                    add(t, ff + "wi.weight", d, Init.NORMAL, i, h);
                } else {
                    add(t, ff + "wi_0.weight", d, Init.NORMAL, i, h);
                    add(t, ff + "wi_1.weight", d, Init.NORMAL, i, h);
                }
                add(t, ff + "wo.weight", d, Init.NORMAL, h, i);
                add(t, p + (decoder ? "2." : "1.") + "layer_norm.weight", d, Init.ONES, h);
            }
            add(t, stack + ".final_layer_norm.weight", d, Init.ONES, h);
        }
        if (!s.tiedEmbeddings()) {
            add(t, "lm_head.weight", d, Init.NORMAL, s.vocab(), h);
        }
    }

    /** BartForConditionalGeneration's tensors, with the {@code final_logits_bias} buffer (zeros, as initialized). */
    private static void planBart(List<Planned> t, SynthSpec s) {
        DType d = s.dtype();
        long h = s.hidden();
        long i = s.intermediate();
        add(t, "final_logits_bias", d, Init.ZEROS, 1, s.vocab());
        add(t, "model.shared.weight", d, Init.NORMAL, s.vocab(), h);
        for (String stack : List.of("encoder", "decoder")) {
            String e = "model." + stack + ".";
            boolean decoder = stack.equals("decoder");
            add(t, e + "embed_positions.weight", d, Init.NORMAL, s.maxPositions() + 2L, h);
            add(t, e + "layernorm_embedding.weight", d, Init.ONES, h);
            add(t, e + "layernorm_embedding.bias", d, Init.ZEROS, h);
            for (int l = 0; l < s.layers(); l++) {
                String p = e + "layers." + l + ".";
                for (String a : decoder ? List.of("self_attn", "encoder_attn") : List.of("self_attn")) {
                    for (String proj : List.of("k_proj", "v_proj", "q_proj", "out_proj")) {
                        add(t, p + a + "." + proj + ".weight", d, Init.NORMAL, h, h);
                        add(t, p + a + "." + proj + ".bias", d, Init.NORMAL, h);
                    }
                    add(t, p + a + "_layer_norm.weight", d, Init.ONES, h);
                    add(t, p + a + "_layer_norm.bias", d, Init.ZEROS, h);
                }
                add(t, p + "fc1.weight", d, Init.NORMAL, i, h);
                add(t, p + "fc1.bias", d, Init.NORMAL, i);
                add(t, p + "fc2.weight", d, Init.NORMAL, h, i);
                add(t, p + "fc2.bias", d, Init.NORMAL, h);
                add(t, p + "final_layer_norm.weight", d, Init.ONES, h);
                add(t, p + "final_layer_norm.bias", d, Init.ZEROS, h);
            }
        }
    }

    private static void add(List<Planned> out, String name, DType dtype, Init init, long... shape) {
        out.add(new Planned(new TensorSpec(name, dtype, shape), init));
    }

    private static void writeWeights(SynthSpec spec, Path file) throws IOException {
        List<Planned> plan = plan(spec);
        List<TensorSpec> specs = new ArrayList<>();
        for (Planned p : plan) {
            specs.add(p.spec());
        }
        float[] chunk = new float[CHUNK];
        try (SafetensorsWriter w = SafetensorsWriter.create(file, specs, SafetensorsWriter.ptMetadata())) {
            for (Planned p : plan) {
                long total = p.spec().elementCount();
                Gaussian rng = new Gaussian(spec.seed() ^ (p.spec().name().hashCode() * 0x9E3779B97F4A7C15L));
                for (long done = 0; done < total; ) {
                    int n = (int) Math.min(CHUNK, total - done);
                    fill(p, chunk, n, done, rng);
                    w.append(chunk, 0, n);
                    done += n;
                }
            }
        }
    }

    private static void fill(Planned p, float[] chunk, int n, long start, Gaussian rng) {
        switch (p.init()) {
            case ONES:
                java.util.Arrays.fill(chunk, 0, n, 1f);
                break;
            case ZEROS:
                java.util.Arrays.fill(chunk, 0, n, 0f);
                break;
            case NORMAL:
                rng.fill(chunk, n, STD);
                break;
            case CAUSAL_MASK: {
                long[] shape = p.spec().shape();
                long cols = shape[3];
                for (int k = 0; k < n; k++) {
                    long idx = start + k;
                    long row = (idx / cols) % shape[2];
                    chunk[k] = idx % cols <= row ? 1f : 0f;
                }
                break;
            }
            default:
                throw new IllegalStateException();
        }
    }

    /** config.json as transformers writes it: keys sorted, with the defaults it spells out. */
    static Map<String, Object> config(SynthSpec s) {
        Map<String, Object> c = new TreeMap<>();
        SynthTokenizer.Specials sp = SynthTokenizer.specials(s.arch());
        if (sp.bos() != null) {
            c.put("bos_token_id", sp.bos());
        }
        c.put("eos_token_id", sp.eos());
        if (s.encoderDecoder()) {
            encoderDecoderConfig(c, s, sp);
            return c;
        }
        c.put("initializer_range", 0.02);
        c.put("tie_word_embeddings", s.tiedEmbeddings());
        c.put("torch_dtype", torchDtype(s.dtype()));
        c.put("transformers_version", TRANSFORMERS_VERSION);
        c.put("use_cache", true);
        c.put("vocab_size", s.vocab());
        switch (s.modelType()) {
            case "gpt2":
                c.put("activation_function", "gelu_new");
                c.put("architectures", List.of("GPT2LMHeadModel"));
                c.put("attn_pdrop", 0.1);
                c.put("embd_pdrop", 0.1);
                c.put("layer_norm_epsilon", 1e-05);
                c.put("model_type", "gpt2");
                c.put("n_ctx", s.maxPositions());
                c.put("n_embd", s.hidden());
                c.put("n_head", s.heads());
                c.put("n_inner", s.intermediate());
                c.put("n_layer", s.layers());
                c.put("n_positions", s.maxPositions());
                c.put("reorder_and_upcast_attn", false);
                c.put("resid_pdrop", 0.1);
                c.put("scale_attn_by_inverse_layer_idx", false);
                c.put("scale_attn_weights", true);
                c.put("summary_activation", null);
                c.put("summary_first_dropout", 0.1);
                c.put("summary_proj_to_labels", true);
                c.put("summary_type", "cls_index");
                c.put("summary_use_proj", true);
                break;
            case "qwen2":
                c.put("architectures", List.of("Qwen2ForCausalLM"));
                c.put("attention_dropout", 0.0);
                c.put("hidden_act", "silu");
                c.put("hidden_size", s.hidden());
                c.put("intermediate_size", s.intermediate());
                c.put("max_position_embeddings", s.maxPositions());
                c.put("max_window_layers", s.layers());
                c.put("model_type", "qwen2");
                c.put("num_attention_heads", s.heads());
                c.put("num_hidden_layers", s.layers());
                c.put("num_key_value_heads", s.kvHeads());
                c.put("rms_norm_eps", 1e-06);
                c.put("rope_scaling", null);
                c.put("rope_theta", 10000.0);
                c.put("sliding_window", null);
                c.put("use_sliding_window", false);
                break;
            default:
                c.put("architectures", List.of("LlamaForCausalLM"));
                c.put("attention_bias", false);
                c.put("attention_dropout", 0.0);
                c.put("head_dim", s.headDim());
                c.put("hidden_act", "silu");
                c.put("hidden_size", s.hidden());
                c.put("intermediate_size", s.intermediate());
                c.put("max_position_embeddings", s.maxPositions());
                c.put("mlp_bias", false);
                c.put("model_type", "llama");
                c.put("num_attention_heads", s.heads());
                c.put("num_hidden_layers", s.layers());
                c.put("num_key_value_heads", s.kvHeads());
                c.put("pretraining_tp", 1);
                c.put("rms_norm_eps", 1e-05);
                c.put("rope_scaling", null);
                c.put("rope_theta", 10000.0);
                break;
        }
        return c;
    }

    /** The config.json keys of t5 (flan-t5 layout) and bart (bart-large layout). */
    private static void encoderDecoderConfig(Map<String, Object> c, SynthSpec s, SynthTokenizer.Specials sp) {
        c.put("decoder_start_token_id", s.arch().equals(SynthSpec.T5) ? sp.pad() : sp.eos());
        c.put("is_encoder_decoder", true);
        c.put("model_type", s.modelType());
        c.put("pad_token_id", sp.pad());
        c.put("tie_word_embeddings", s.tiedEmbeddings());
        c.put("torch_dtype", torchDtype(s.dtype()));
        c.put("transformers_version", TRANSFORMERS_VERSION);
        c.put("use_cache", true);
        c.put("vocab_size", s.vocab());
        if (s.arch().equals(SynthSpec.T5)) {
            c.put("architectures", List.of("T5ForConditionalGeneration"));
            c.put("classifier_dropout", 0.0);
            c.put("d_ff", s.intermediate());
            c.put("d_kv", s.headDim());
            c.put("d_model", s.hidden());
            c.put("dense_act_fn", s.tiedEmbeddings() ? "relu" : "gelu_new");
            c.put("dropout_rate", 0.1);
            c.put("feed_forward_proj", s.t5FeedForward());
            c.put("initializer_factor", 1.0);
            c.put("is_gated_act", !s.tiedEmbeddings());
            c.put("layer_norm_epsilon", 1e-06);
            c.put("n_positions", s.maxPositions());
            c.put("num_decoder_layers", s.layers());
            c.put("num_heads", s.heads());
            c.put("num_layers", s.layers());
            c.put("relative_attention_max_distance", 128);
            c.put("relative_attention_num_buckets", SynthSpec.T5_BUCKETS);
            return;
        }
        c.put("activation_dropout", 0.0);
        c.put("activation_function", "gelu");
        c.put("add_final_layer_norm", false);
        c.put("architectures", List.of("BartForConditionalGeneration"));
        c.put("attention_dropout", 0.0);
        c.put("d_model", s.hidden());
        c.put("decoder_attention_heads", s.heads());
        c.put("decoder_ffn_dim", s.intermediate());
        c.put("decoder_layers", s.layers());
        c.put("dropout", 0.1);
        c.put("encoder_attention_heads", s.heads());
        c.put("encoder_ffn_dim", s.intermediate());
        c.put("encoder_layers", s.layers());
        c.put("forced_bos_token_id", sp.bos());
        c.put("forced_eos_token_id", sp.eos());
        c.put("init_std", 0.02);
        c.put("max_position_embeddings", s.maxPositions());
        c.put("normalize_before", false);
        c.put("num_hidden_layers", s.layers());
        c.put("scale_embedding", false);
    }

    static Map<String, Object> generationConfig(SynthSpec s) {
        Map<String, Object> g = new TreeMap<>();
        SynthTokenizer.Specials sp = SynthTokenizer.specials(s.arch());
        g.put("_from_model_config", true);
        if (sp.bos() != null) {
            g.put("bos_token_id", sp.bos());
        }
        if (s.encoderDecoder()) {
            g.put("decoder_start_token_id", s.arch().equals(SynthSpec.T5) ? sp.pad() : sp.eos());
            g.put("pad_token_id", sp.pad());
        }
        if (s.arch().equals(SynthSpec.BART)) {
            g.put("forced_bos_token_id", sp.bos());
            g.put("forced_eos_token_id", sp.eos());
        }
        g.put("eos_token_id", sp.eos());
        g.put("transformers_version", TRANSFORMERS_VERSION);
        return g;
    }

    static String torchDtype(DType d) {
        switch (d) {
            case F16:
                return "float16";
            case BF16:
                return "bfloat16";
            default:
                return "float32";
        }
    }

    /**
     * Deterministic, fast, approximately normal numbers: splitmix64 words cut into four 16-bit uniforms whose sum
     * (Irwin-Hall, n = 4) is scaled to unit variance.
     */
    static final class Gaussian {
        private static final float SCALE = (float) (Math.sqrt(3.0) / 65536.0);
        private long state;

        Gaussian(long seed) {
            this.state = seed;
        }

        private long next() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        void fill(float[] out, int n, float std) {
            float scale = SCALE * std;
            for (int k = 0; k < n; k++) {
                long r = next();
                int sum = (int) (r & 0xFFFF) + (int) ((r >>> 16) & 0xFFFF) + (int) ((r >>> 32) & 0xFFFF)
                        + (int) (r >>> 48);
                out[k] = (sum - 2 * 65535) * scale;
            }
        }
    }
}
