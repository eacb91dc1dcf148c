package io.lem.runner.model.synth;

import io.lem.runner.model.weights.DType;

import java.util.Objects;

/**
 * Dimensions of a synthetic model. {@code arch} is {@code llama} (with {@code qkvBias}: Qwen2-style biases on q/k/v,
 * written as a {@code qwen2} model, since a llama config cannot express biases on q/k/v only), {@code gpt2} (always
 * has biases; {@code kvHeads == heads}), or one of the encoder-decoders, which have {@code layers} encoder and
 * {@code layers} decoder blocks and {@code kvHeads == heads}: {@code t5} (no biases; tied: t5 v1.0 style, ReLU
 * feed-forward and the head scaled by d_model^-0.5; untied: flan-t5 style, gated-GELU and {@code lm_head.weight};
 * {@code maxPositions} is only the tokenizer's {@code model_max_length}, as T5's positions are relative) and
 * {@code bart} (always has biases and a tied head; learned positions).
 *
 * @param intermediate MLP width (llama {@code intermediate_size}, gpt2 {@code n_inner}, t5 {@code d_ff}, bart
 *                     {@code encoder_ffn_dim} and {@code decoder_ffn_dim})
 * @param vocab        embedding rows; at least the synthetic tokenizer's size ({@link #minVocab(String)}); rows past
 *                     the tokenizer's own tokens are filled with unreachable placeholder tokens
 */
public record SynthSpec(String arch, int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab,
        int maxPositions, boolean tiedEmbeddings, boolean qkvBias, DType dtype, long seed) {

    public static final String LLAMA = "llama";
    public static final String GPT2 = "gpt2";
    public static final String T5 = "t5";
    public static final String BART = "bart";
    public static final java.util.List<String> ARCHES = java.util.List.of(LLAMA, GPT2, T5, BART);

    /** T5's relative attention buckets (as in every released T5). */
    public static final int T5_BUCKETS = 32;

    public SynthSpec {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(dtype, "dtype");
        if (!ARCHES.contains(arch)) {
            throw new IllegalArgumentException("arch must be one of " + String.join(", ", ARCHES) + ", got '" + arch
                    + "'");
        }
        positive("hidden", hidden);
        positive("layers", layers);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("intermediate", intermediate);
        positive("maxPositions", maxPositions);
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden (" + hidden + ") must be a multiple of heads (" + heads + ")");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads
                    + ")");
        }
        if (!arch.equals(LLAMA) && kvHeads != heads) {
            throw new IllegalArgumentException(arch + " has no grouped-query attention: kvHeads must equal heads");
        }
        if ((arch.equals(GPT2) || arch.equals(BART)) && !qkvBias) {
            throw new IllegalArgumentException(arch + " always has attention biases: qkvBias must be true");
        }
        if (arch.equals(T5) && qkvBias) {
            throw new IllegalArgumentException("t5 has no attention biases: qkvBias must be false");
        }
        if (arch.equals(BART) && !tiedEmbeddings) {
            throw new IllegalArgumentException("bart's LM head is always tied to the embeddings");
        }
        if (vocab < minVocab(arch)) {
            throw new IllegalArgumentException("vocab (" + vocab + ") must be at least " + minVocab(arch)
                    + ", the size of the synthetic " + arch + " tokenizer");
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
    }

    /** A tiny model: trains nothing, loads and runs in milliseconds. */
    public static SynthSpec defaults(String arch) {
        switch (arch) {
            case LLAMA:
                return new SynthSpec(LLAMA, 64, 2, 4, 2, 128, 320, 256, false, false, DType.F32, 42);
            case GPT2:
                return new SynthSpec(GPT2, 64, 2, 4, 4, 256, 320, 256, true, true, DType.F32, 42);
            case T5:
                return new SynthSpec(T5, 64, 2, 4, 4, 128, 320, 512, false, false, DType.F32, 42);
            case BART:
                return new SynthSpec(BART, 64, 2, 4, 4, 256, 320, 256, true, true, DType.F32, 42);
            default:
                throw new IllegalArgumentException("arch must be one of " + String.join(", ", ARCHES) + ", got '"
                        + arch + "'");
        }
    }

    /** The dimensions of HuggingFaceTB/SmolLM2-135M (134,515,008 parameters), stored as BF16 like the original. */
    public static SynthSpec smollm2_135m() {
        return new SynthSpec(LLAMA, 576, 30, 9, 3, 1536, 49152, 8192, true, false, DType.BF16, 42);
    }

    /** The smallest vocab the synthetic tokenizer of {@code arch} needs. */
    public static int minVocab(String arch) {
        return SynthTokenizer.coreSize(arch);
    }

    public int headDim() {
        return hidden / heads;
    }

    /** The HF model_type written: llama, qwen2 (llama with qkvBias), gpt2, t5 or bart. */
    public String modelType() {
        if (!arch.equals(LLAMA)) {
            return arch;
        }
        return qkvBias ? "qwen2" : LLAMA;
    }

    /** True for t5 and bart. */
    public boolean encoderDecoder() {
        return arch.equals(T5) || arch.equals(BART);
    }

    /** T5's {@code feed_forward_proj}: relu when tied (t5 v1.0), gated-gelu when untied (flan-t5). */
    public String t5FeedForward() {
        return tiedEmbeddings ? "relu" : "gated-gelu";
    }

    public SynthSpec withDtype(DType value) {
        return new SynthSpec(arch, hidden, layers, heads, kvHeads, intermediate, vocab, maxPositions, tiedEmbeddings,
                qkvBias, value, seed);
    }

    public SynthSpec withSeed(long value) {
        return new SynthSpec(arch, hidden, layers, heads, kvHeads, intermediate, vocab, maxPositions, tiedEmbeddings,
                qkvBias, dtype, value);
    }

    /**
     * Parameters by formula (not by listing tensors): what the model's {@code num_parameters()} reports. Buffers
     * (GPT-2's {@code attn.bias} mask) are not parameters.
     */
    public long parameterCount() {
        long h = hidden;
        long v = vocab;
        long i = intermediate;
        long head = tiedEmbeddings ? 0 : v * h;
        if (arch.equals(T5)) {
            long ff = (tiedEmbeddings ? 2 : 3) * h * i;        // wi (or wi_0, wi_1) and wo
            long bias = (long) T5_BUCKETS * heads;              // relative_attention_bias, block 0 of each stack
            long encoderLayer = 4 * h * h + h + ff + h;         // q, k, v, o, norm; feed-forward, norm
            long decoderLayer = 8 * h * h + 2 * h + ff + h;     // self and cross attention with norms; feed-forward
            return v * h + layers * (encoderLayer + decoderLayer) + 2 * (bias + h) + head;
        }
        if (arch.equals(BART)) {
            long attention = 4 * (h * h + h) + 2 * h;            // q, k, v, out with biases; its LayerNorm
            long ffn = h * i + i + i * h + h + 2 * h;           // fc1, fc2; final_layer_norm
            long embeddings = (long) (maxPositions + 2) * h + 2 * h; // positions (offset 2), layernorm_embedding
            // final_logits_bias is a buffer, not a parameter
            return v * h + 2 * embeddings + layers * (attention + ffn) + layers * (2 * attention + ffn);
        }
        if (arch.equals(GPT2)) {
            long perLayer = 2 * (2 * h)            // ln_1, ln_2: weight + bias
                    + h * 3 * h + 3 * h            // c_attn
                    + h * h + h                    // attn.c_proj
                    + h * i + i                    // mlp.c_fc
                    + i * h + h;                   // mlp.c_proj
            return v * h + (long) maxPositions * h + layers * perLayer + 2 * h + head;
        }
        long kv = (long) kvHeads * headDim();
        long perLayer = h * h + 2 * h * kv + h * h // q, k, v, o
                + (qkvBias ? h + 2 * kv : 0)
                + 3 * h * i                        // gate, up, down
                + 2 * h;                           // input / post-attention norms
        return v * h + layers * perLayer + h + head;
    }
}
