package io.lem.plugins.flops;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.api.flops.ModelArchitecture;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a HuggingFace {@code config.json} into a {@link ModelShape}, applying the defaults transformers applies when a
 * key is absent (or null). Supported: the Llama family ({@code llama}, {@code mistral}, {@code qwen2}) and
 * {@code gpt2}; and, into an {@link EncoderDecoderShape}, the encoder-decoders {@code t5}, {@code mt5} and
 * {@code bart}.
 */
public final class HfConfig {

    public static final List<String> SUPPORTED_MODEL_TYPES = List.of("gpt2", "llama", "mistral", "qwen2");

    /** Encoder-decoder model types, read by {@link #encoderDecoderShapeOf}. */
    public static final List<String> ENCODER_DECODER_MODEL_TYPES = List.of("bart", "mt5", "t5");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };

    private HfConfig() {
    }

    /** Reads {@code config.json}; top-level null values are dropped, so they read as absent (the default applies). */
    public static ModelArchitecture read(Path configJson) throws IOException {
        return of(JSON.readValue(configJson.toFile(), MAP));
    }

    /** Parses config JSON text, like {@link #read}. */
    public static ModelArchitecture parse(String json) throws IOException {
        return of(JSON.readValue(json, MAP));
    }

    private static ModelArchitecture of(Map<String, Object> config) {
        Map<String, Object> present = new LinkedHashMap<>();
        config.forEach((k, v) -> {
            if (v != null) {
                present.put(k, v);
            }
        });
        Object type = present.get("model_type");
        return new ModelArchitecture(type == null ? "" : type.toString(), present);
    }

    private static String typeOf(ModelArchitecture model) {
        String type = model.modelType();
        if (type == null || type.isBlank()) {
            Object fromConfig = model.config().get("model_type");
            type = fromConfig == null ? "" : fromConfig.toString();
        }
        return type.strip().toLowerCase(Locale.ROOT);
    }

    /** Whether the model is one of {@link #ENCODER_DECODER_MODEL_TYPES}. */
    public static boolean isEncoderDecoder(ModelArchitecture model) {
        return ENCODER_DECODER_MODEL_TYPES.contains(typeOf(model));
    }

    /**
     * The shape of a supported encoder-decoder model (t5, mt5: T5 v1.0, v1.1 and flan-t5; bart).
     *
     * @throws UnsupportedModelException for other model types
     * @throws IllegalArgumentException  when a required key is missing or not a whole number
     */
    public static EncoderDecoderShape encoderDecoderShapeOf(ModelArchitecture model) {
        String type = typeOf(model);
        Fields f = new Fields(type, model.config());
        switch (type) {
            case "t5":
            case "mt5": {
                int d = f.required("d_model");
                int layers = f.required("num_layers");
                int heads = f.required("num_heads");
                int dKv = f.required("d_kv");
                int ff = f.required("d_ff");
                Object proj = model.config().get("feed_forward_proj");
                boolean gated = proj != null && proj.toString().startsWith("gated-");
                // T5ForConditionalGeneration: tie_word_embeddings defaults to true (t5 v1.0), flan-t5 says false
                return new EncoderDecoderShape(type, d, layers, f.optional("num_decoder_layers", layers), heads, heads,
                        dKv, dKv, ff, ff, f.required("vocab_size"), 0, f.optional("relative_attention_num_buckets", 32),
                        f.flag("tie_word_embeddings", true), gated ? MlpKind.GATED : MlpKind.PLAIN, NormKind.RMS,
                        false, false, true);
            }
            case "bart": {
                int d = f.required("d_model");
                int encHeads = f.required("encoder_attention_heads");
                int decHeads = f.required("decoder_attention_heads");
                // learned positions with fairseq's offset of 2; final_logits_bias is a buffer, not a parameter
                return new EncoderDecoderShape(type, d, f.required("encoder_layers"), f.required("decoder_layers"),
                        encHeads, decHeads, f.divide("d_model", d, "encoder_attention_heads", encHeads),
                        f.divide("d_model", d, "decoder_attention_heads", decHeads), f.required("encoder_ffn_dim"),
                        f.required("decoder_ffn_dim"), f.required("vocab_size"),
                        f.required("max_position_embeddings") + 2, 0, true, MlpKind.PLAIN, NormKind.LAYER, true,
                        true, false);
            }
            default:
                throw new UnsupportedModelException(type.isEmpty() ? "(none)" : type, ENCODER_DECODER_MODEL_TYPES);
        }
    }

    /**
     * The shape of a supported model.
     *
     * @throws UnsupportedModelException for other model types
     * @throws IllegalArgumentException  when a required key is missing or not a whole number
     */
    public static ModelShape shapeOf(ModelArchitecture model) {
        String type = model.modelType();
        if (type == null || type.isBlank()) {
            Object fromConfig = model.config().get("model_type");
            type = fromConfig == null ? "" : fromConfig.toString();
        }
        type = type.strip().toLowerCase(Locale.ROOT);
        Fields f = new Fields(type, model.config());
        switch (type) {
            case "llama":
            case "mistral":
            case "qwen2":
                return llamaFamily(type, f);
            case "gpt2":
                return gpt2(f);
            default:
                throw new UnsupportedModelException(type.isEmpty() ? "(none)" : type, SUPPORTED_MODEL_TYPES);
        }
    }

    private static ModelShape llamaFamily(String type, Fields f) {
        int hidden = f.required("hidden_size");
        int heads = f.required("num_attention_heads");
        int kvHeads = f.optional("num_key_value_heads", heads);
        int headDim = f.optional("head_dim", 0);
        if (headDim == 0) {
            headDim = f.divide("hidden_size", hidden, "num_attention_heads", heads);
        }
        boolean qkvBias;
        boolean outputBias;
        boolean mlpBias;
        switch (type) {
            case "qwen2": // Qwen2Attention: q/k/v biased, o_proj not, whatever the config says
                qkvBias = true;
                outputBias = false;
                mlpBias = false;
                break;
            case "llama": // attention_bias covers q, k, v and o; mlp_bias gate, up and down
                qkvBias = f.flag("attention_bias", false);
                outputBias = qkvBias;
                mlpBias = f.flag("mlp_bias", false);
                break;
            default: // mistral: no biases
                qkvBias = false;
                outputBias = false;
                mlpBias = false;
        }
        return new ModelShape(type, hidden, f.required("num_hidden_layers"), heads, kvHeads, headDim,
                f.required("intermediate_size"), f.required("vocab_size"), 0,
                f.flag("tie_word_embeddings", false), MlpKind.GATED, NormKind.RMS, qkvBias, outputBias, mlpBias);
    }

    private static ModelShape gpt2(Fields f) {
        int hidden = f.required("n_embd");
        int heads = f.required("n_head");
        // GPT2LMHeadModel ties its head to wte; a config may say otherwise, which transformers honours
        return new ModelShape("gpt2", hidden, f.required("n_layer"), heads, heads,
                f.divide("n_embd", hidden, "n_head", heads), f.optional("n_inner", 4 * hidden),
                f.required("vocab_size"), f.required("n_positions"), f.flag("tie_word_embeddings", true),
                MlpKind.PLAIN, NormKind.LAYER, true, true, true);
    }

    /** Typed access to config keys with messages naming the key and the model type. */
    private static final class Fields {
        private final String type;
        private final Map<String, Object> config;

        Fields(String type, Map<String, Object> config) {
            this.type = type;
            this.config = config;
        }

        int required(String key) {
            if (!config.containsKey(key)) {
                throw new IllegalArgumentException("config.json of model_type '" + type + "' lacks " + key);
            }
            return whole(key, config.get(key));
        }

        int optional(String key, int fallback) {
            Object value = config.get(key);
            return value == null ? fallback : whole(key, value);
        }

        boolean flag(String key, boolean fallback) {
            Object value = config.get(key);
            if (value == null) {
                return fallback;
            }
            if (value instanceof Boolean) {
                return (Boolean) value;
            }
            throw new IllegalArgumentException("config.json key " + key + " must be true or false, was " + value);
        }

        int divide(String numeratorKey, int numerator, String denominatorKey, int denominator) {
            if (denominator <= 0 || numerator % denominator != 0) {
                throw new IllegalArgumentException("config.json of model_type '" + type + "': " + numeratorKey + " ("
                        + numerator + ") is not a multiple of " + denominatorKey + " (" + denominator
                        + ") and no head_dim is given");
            }
            return numerator / denominator;
        }

        private int whole(String key, Object value) {
            if (value instanceof Number) {
                double d = ((Number) value).doubleValue();
                if (d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) {
                    return (int) d;
                }
            }
            throw new IllegalArgumentException("config.json key " + key + " must be a whole number, was " + value);
        }
    }
}
