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
 * {@code gpt2}.
 */
public final class HfConfig {

    public static final List<String> SUPPORTED_MODEL_TYPES = List.of("gpt2", "llama", "mistral", "qwen2");

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
