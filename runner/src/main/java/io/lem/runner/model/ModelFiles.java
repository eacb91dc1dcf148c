package io.lem.runner.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.runner.model.safetensors.SafetensorsStore;
import io.lem.runner.model.safetensors.WeightStores;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model resolved to a local directory in HuggingFace layout: a directory given by the user, or a snapshot
 * directory of the hub cache.
 *
 * @param directory         the model directory (for hub models {@code .../snapshots/<commit>})
 * @param repoId            hub repository id ({@code org/name}); null for a local directory
 * @param revision          the revision asked for (branch, tag or commit); null for a local directory
 * @param commit            the commit the revision resolved to; null for a local directory
 * @param config            config.json, parsed (unmodifiable)
 * @param generationConfig  generation_config.json, parsed, or null when the model has none
 * @param tokenizerJson     tokenizer.json, or null when absent
 * @param tokenizerConfig   tokenizer_config.json, or null when absent
 * @param specialTokensMap  special_tokens_map.json, or null when absent
 */
public record ModelFiles(Path directory, String repoId, String revision, String commit, Map<String, Object> config,
        Map<String, Object> generationConfig, Path tokenizerJson, Path tokenizerConfig, Path specialTokensMap) {

    public static final String CONFIG = "config.json";
    public static final String GENERATION_CONFIG = "generation_config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelFiles {
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        generationConfig = generationConfig == null ? null
                : Collections.unmodifiableMap(new LinkedHashMap<>(generationConfig));
    }

    /**
     * The generation settings the engine's encoder-decoders read from {@code generation_config.json} in preference
     * to {@code config.json}, as transformers' generate does (recent transformers versions save them there only).
     */
    public static final List<String> GENERATION_KEYS = List.of("decoder_start_token_id", "forced_bos_token_id",
            "forced_eos_token_id");

    /**
     * config.json for the engine: config.json with the {@link #GENERATION_KEYS} of generation_config.json, when it
     * sets them, taking precedence.
     */
    public Map<String, Object> engineConfig() {
        if (generationConfig == null) {
            return config;
        }
        Map<String, Object> merged = new LinkedHashMap<>(config);
        for (String key : GENERATION_KEYS) {
            if (generationConfig.get(key) != null) {
                merged.put(key, generationConfig.get(key));
            }
        }
        return Collections.unmodifiableMap(merged);
    }

    /** A model directory on disk (not from the hub): config.json is required, the rest optional. */
    public static ModelFiles local(Path directory) throws IOException {
        return load(directory, null, null, null);
    }

    /** Reads the JSON files of {@code directory}; used for local directories and hub snapshots alike. */
    public static ModelFiles load(Path directory, String repoId, String revision, String commit) throws IOException {
        Path config = directory.resolve(CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new IOException("no " + CONFIG + " in " + directory + ": not a HuggingFace model directory");
        }
        return new ModelFiles(directory, repoId, revision, commit, readJsonObject(config),
                optional(directory.resolve(GENERATION_CONFIG)) == null ? null
                        : readJsonObject(directory.resolve(GENERATION_CONFIG)),
                optional(directory.resolve(TOKENIZER)), optional(directory.resolve(TOKENIZER_CONFIG)),
                optional(directory.resolve(SPECIAL_TOKENS_MAP)));
    }

    private static Path optional(Path p) {
        return Files.isRegularFile(p) ? p : null;
    }

    /** Parses a JSON file that must hold an object; the error names the file. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readJsonObject(Path file) throws IOException {
        Object value;
        try {
            value = JSON.readValue(file.toFile(), Object.class);
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(value instanceof Map)) {
            throw new IOException(file + " does not hold a JSON object");
        }
        return (Map<String, Object>) value;
    }

    /** Whether the model came from the hub (cache or download) rather than a directory given by the user. */
    public boolean fromHub() {
        return repoId != null;
    }

    /** {@code config.json}'s {@code model_type}, e.g. llama or gpt2; null when absent. */
    public String modelType() {
        Object t = config.get("model_type");
        return t instanceof String ? (String) t : null;
    }

    /** {@code org/name@commit} for hub models, the directory otherwise: for messages and events. */
    public String displayName() {
        return fromHub() ? repoId + "@" + (commit != null ? commit : revision) : directory.toString();
    }

    /** Opens the weights: {@code model.safetensors} or the shards of {@code model.safetensors.index.json}. */
    public SafetensorsStore openWeights() throws IOException {
        return WeightStores.open(directory);
    }
}
