package io.lem.runner.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A resolved experiment config: {@code _extends} applied, validated, every default filled in. Built by
 * {@link ConfigLoader}; shown by {@link ConfigRendering}. Optional values are null when unset, as noted.
 *
 * @param sourcePath         the file it was loaded from, as given to {@link ConfigLoader#load(Path)}
 * @param configName         {@code config_name} (required)
 * @param modelName          {@code model_name} (required): hub id such as {@code gpt2}, or a local directory
 * @param revision           {@code revision}: hub branch, tag or commit; null = the hub's default
 * @param isEncoderDecoder   {@code is_encoder_decoder}
 * @param taskType           {@code task_type}
 * @param inferenceType      {@code inference_type}
 * @param sourceLang         {@code source_lang} for translation; null when unset
 * @param targetLang         {@code target_lang} for translation; null when unset
 * @param maxInputTokens     {@code max_input_tokens}: prompts are truncated to this
 * @param maxOutputTokens    {@code max_output_tokens}
 * @param minOutputTokens    {@code min_output_tokens}, never above maxOutputTokens
 * @param numInputPrompts    {@code num_input_prompts}: how many prompts to run; null = all of them
 * @param prompts            {@code prompts}; null = the runner's default prompt set
 * @param saveOutputs        {@code save_outputs}: keep the generated text
 * @param gpuList            {@code gpu_list}: GPU indices, one process each; empty = not pinned
 * @param numProcesses       {@code num_processes}: equals gpuList's size when that is not empty
 * @param batchingOptions    {@code batching_options}
 * @param decoderConfig      {@code decoder_config}
 * @param fpPrecision        {@code fp_precision}
 * @param quantizationConfig {@code quantization_config}
 * @param seed               {@code seed} for sampling and prompt selection
 * @param warmupBatches      {@code warmup_batches}: batches run before measuring starts
 * @param kafka              {@code kafka}
 * @param energy             {@code energy}
 * @param hfToken            {@code hf_token}; null when unset. Prefer the HF_TOKEN environment variable, see
 *                           {@link #resolveHfToken(Map)}
 */
public record ExperimentConfig(
        Path sourcePath,
        String configName,
        String modelName,
        String revision,
        boolean isEncoderDecoder,
        TaskType taskType,
        InferenceType inferenceType,
        String sourceLang,
        String targetLang,
        int maxInputTokens,
        int maxOutputTokens,
        int minOutputTokens,
        Integer numInputPrompts,
        PromptSource prompts,
        boolean saveOutputs,
        List<Integer> gpuList,
        int numProcesses,
        BatchingOptions batchingOptions,
        DecoderConfig decoderConfig,
        FpPrecision fpPrecision,
        QuantizationConfig quantizationConfig,
        int seed,
        int warmupBatches,
        KafkaSettings kafka,
        EnergySettings energy,
        Secret hfToken) {

    public static final String HF_TOKEN_ENV = "HF_TOKEN";

    public ExperimentConfig {
        Objects.requireNonNull(configName, "configName");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(taskType, "taskType");
        Objects.requireNonNull(inferenceType, "inferenceType");
        Objects.requireNonNull(batchingOptions, "batchingOptions");
        Objects.requireNonNull(decoderConfig, "decoderConfig");
        Objects.requireNonNull(fpPrecision, "fpPrecision");
        Objects.requireNonNull(quantizationConfig, "quantizationConfig");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(energy, "energy");
        gpuList = List.copyOf(gpuList);
    }

    /** The HuggingFace token to use: the environment's HF_TOKEN when set, else {@code hf_token} from the file. */
    public Optional<String> resolveHfToken(Map<String, String> environment) {
        String fromEnvironment = environment.get(HF_TOKEN_ENV);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Optional.of(fromEnvironment);
        }
        return Optional.ofNullable(hfToken).map(Secret::value);
    }

    /** The same config attributed to another file; rendering does not carry the source path. */
    public ExperimentConfig withSourcePath(Path path) {
        return new ExperimentConfig(path, configName, modelName, revision, isEncoderDecoder, taskType, inferenceType,
                sourceLang, targetLang, maxInputTokens, maxOutputTokens, minOutputTokens, numInputPrompts, prompts,
                saveOutputs, gpuList, numProcesses, batchingOptions, decoderConfig, fpPrecision, quantizationConfig,
                seed, warmupBatches, kafka, energy, hfToken);
    }
}
