package io.lem.runner.model.synth;

import io.lem.runner.model.weights.DType;

import java.util.Objects;

/**
 * Dimensions of a synthetic model. {@code arch} is {@code llama} (with {@code qkvBias}: Qwen2-style biases on q/k/v,
 * written as a {@code qwen2} model, since a llama config cannot express biases on q/k/v only) or {@code gpt2} (always
 * has biases; {@code kvHeads == heads}).
 *
 * @param intermediate MLP width (llama {@code intermediate_size}, gpt2 {@code n_inner})
 * @param vocab        embedding rows; at least the synthetic tokenizer's size ({@link #minVocab(String)}); rows past
 *                     the tokenizer's own tokens are filled with unreachable placeholder tokens
 */
public record SynthSpec(String arch, int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab,
        int maxPositions, boolean tiedEmbeddings, boolean qkvBias, DType dtype, long seed) {

    public static final String LLAMA = "llama";
    public static final String GPT2 = "gpt2";

    public SynthSpec {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(dtype, "dtype");
        if (!arch.equals(LLAMA) && !arch.equals(GPT2)) {
            throw new IllegalArgumentException("arch must be llama or gpt2, got '" + arch + "'");
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
        if (arch.equals(GPT2) && kvHeads != heads) {
            throw new IllegalArgumentException("gpt2 has no grouped-query attention: kvHeads must equal heads");
        }
        if (arch.equals(GPT2) && !qkvBias) {
            throw new IllegalArgumentException("gpt2 always has attention biases: qkvBias must be true");
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
            default:
                throw new IllegalArgumentException("arch must be llama or gpt2, got '" + arch + "'");
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

    /** The HF model_type written: llama, qwen2 (llama with qkvBias) or gpt2. */
    public String modelType() {
        return arch.equals(GPT2) ? GPT2 : qkvBias ? "qwen2" : LLAMA;
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
