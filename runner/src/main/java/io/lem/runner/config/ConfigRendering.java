package io.lem.runner.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A resolved config as the file keys and values a user would write, for {@code lem config show} and the
 * ExperimentStarted event: every field with its value or default (null when an optional one is unset), snake_case
 * keys in a stable order, paths absolute, and secrets replaced by {@value Secret#REDACTED}. Loading the output
 * again gives the same config, secrets aside.
 */
public final class ConfigRendering {

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ConfigRendering() {
    }

    /** Ordered, unmodifiable; values are strings, numbers, booleans, lists, maps or null. */
    public static Map<String, Object> toMap(ExperimentConfig config) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config_name", config.configName());
        out.put("model_name", config.modelName());
        out.put("revision", config.revision());
        out.put("is_encoder_decoder", config.isEncoderDecoder());
        out.put("task_type", config.taskType().yamlName());
        out.put("inference_type", config.inferenceType().yamlName());
        out.put("source_lang", config.sourceLang());
        out.put("target_lang", config.targetLang());
        out.put("max_input_tokens", config.maxInputTokens());
        out.put("max_output_tokens", config.maxOutputTokens());
        out.put("min_output_tokens", config.minOutputTokens());
        out.put("num_input_prompts", config.numInputPrompts());
        out.put("prompts", prompts(config.prompts()));
        out.put("save_outputs", config.saveOutputs());
        out.put("gpu_list", config.gpuList());
        out.put("num_processes", config.numProcesses());
        out.put("batching_options", ordered(
                "batch_size", config.batchingOptions().batchSize(),
                "dynamic_batching", config.batchingOptions().dynamicBatching()));
        DecoderConfig decoder = config.decoderConfig();
        out.put("decoder_config", ordered(
                "temperature", decoder.temperature(),
                "top_p", decoder.topP(),
                "top_k", decoder.topK(),
                "do_sample", decoder.doSample()));
        out.put("fp_precision", config.fpPrecision().yamlName());
        QuantizationConfig quantization = config.quantizationConfig();
        out.put("quantization_config", ordered(
                "quantization", quantization.quantization(),
                "load_in_4bit", quantization.loadIn4bit(),
                "load_in_8bit", quantization.loadIn8bit()));
        out.put("seed", config.seed());
        out.put("warmup_batches", config.warmupBatches());
        out.put("kafka", kafka(config.kafka()));
        out.put("energy", energy(config.energy()));
        out.put("hf_token", config.hfToken() == null ? null : Secret.REDACTED);
        return Collections.unmodifiableMap(out);
    }

    public static String toYaml(ExperimentConfig config) {
        return write(YAML, config);
    }

    public static String toJson(ExperimentConfig config) {
        return write(JSON, config) + System.lineSeparator();
    }

    private static String write(ObjectMapper mapper, ExperimentConfig config) {
        try {
            return mapper.writeValueAsString(toMap(config));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // plain maps of plain values always serialise
        }
    }

    private static Map<String, Object> prompts(PromptSource prompts) {
        if (prompts == null) {
            return null;
        }
        return ordered("file", pathText(prompts.file()), "builtin", prompts.builtin());
    }

    private static Map<String, Object> kafka(KafkaSettings kafka) {
        // the fixed keys are not secret; inline client properties (sasl.jaas.config, ssl.key.password...) may be
        Map<String, Object> properties = new LinkedHashMap<>();
        kafka.clientProperties().forEach((key, value) ->
                properties.put(key, SecretKeys.looksSecret(key) ? Secret.REDACTED : value));
        return ordered(
                "bootstrap_servers", kafka.bootstrapServers(),
                "client_properties_file", pathText(kafka.clientPropertiesFile()),
                "client_properties", Collections.unmodifiableMap(properties),
                "topic", kafka.topic(),
                "partitions", kafka.partitions(),
                "replication_factor", kafka.replicationFactor());
    }

    private static Map<String, Object> energy(EnergySettings energy) {
        return ordered(
                "plugins", energy.plugins(),
                "exclude_plugins", energy.excludePlugins(),
                "sampling_interval_ms", energy.samplingIntervalMs(),
                "idle_baseline_seconds", energy.idleBaselineSeconds(),
                "carbon_region", energy.carbonRegion(),
                "pue", energy.pue());
    }

    private static String pathText(Path path) {
        return path == null ? null : path.toString();
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(out);
    }
}
