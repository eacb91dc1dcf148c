package io.lem.runner.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The config schema: reads the merged tree into an {@link ExperimentConfig}, field by field, with the defaults and
 * rules of each key, and the rules that tie keys together.
 */
final class ConfigBinder {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigBinder.class);

    private static final Pattern BOOTSTRAP = Pattern.compile("[^\\s,:]+:\\d{1,5}(,[^\\s,:]+:\\d{1,5})*");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");  // Kafka's own rule
    private static final Pattern REGION = Pattern.compile("[A-Za-z0-9]+(-[A-Za-z0-9]+)*");

    private ConfigBinder() {
    }

    /** The config, or null when problems were added (every problem found is added, not just the first). */
    static ExperimentConfig bind(ConfigNode.Mapping root, Path source, List<ConfigProblem> problems) {
        int before = problems.size();
        SectionReader top = SectionReader.top(root, problems);

        String configName = top.requiredString("config_name", "a name for this experiment, e.g. llama2-7b-fp16");
        String modelName = top.requiredString("model_name",
                "a HuggingFace model id such as gpt2 or meta-llama/Llama-2-7b-hf, or a local model directory");
        String revision = top.string("revision", null);
        Boolean isEncoderDecoder = top.bool("is_encoder_decoder", false);
        TaskType taskType = top.choice("task_type", TaskType.values(), TaskType.TEXT_GENERATION);
        InferenceType inferenceType = top.choice("inference_type", InferenceType.values(),
                InferenceType.PURE_GENERATIVE);
        String sourceLang = top.string("source_lang", null);
        String targetLang = top.string("target_lang", null);

        if (taskType == TaskType.TRANSLATION) {
            if (sourceLang == null || sourceLang.isBlank()) {
                top.problem("source_lang", "is required when task_type is translation: the language of the inputs, "
                        + "e.g. English or en");
            }
            if (targetLang == null || targetLang.isBlank()) {
                top.problem("target_lang", "is required when task_type is translation: the language to translate "
                        + "into, e.g. German or de");
            }
        }

        Integer maxInputTokens = top.integer("max_input_tokens", IntRange.atLeast(1), 512);
        Integer maxOutputTokens = top.integer("max_output_tokens", IntRange.atLeast(1), 128);
        Integer minOutputTokens = top.integer("min_output_tokens", IntRange.atLeast(0), 0);
        if (minOutputTokens != null && maxOutputTokens != null && minOutputTokens > maxOutputTokens) {
            top.problem("min_output_tokens", "must be <= max_output_tokens (" + maxOutputTokens + "), was "
                    + minOutputTokens);
        }
        Integer numInputPrompts = top.integer("num_input_prompts", IntRange.atLeast(1), null);
        PromptSource prompts = prompts(top);
        Boolean saveOutputs = top.bool("save_outputs", false);

        List<Integer> gpuList = top.integerList("gpu_list", IntRange.atLeast(0), true);
        boolean processesGiven = top.has("num_processes");
        Integer numProcesses = top.integer("num_processes", IntRange.atLeast(1),
                gpuList == null || gpuList.isEmpty() ? 1 : gpuList.size());
        if (processesGiven && numProcesses != null && gpuList != null && !gpuList.isEmpty()
                && numProcesses != gpuList.size()) {
            top.problem("num_processes", "must equal the length of gpu_list (" + gpuList.size() + " GPUs at "
                    + top.locationOf("gpu_list") + "), one process per GPU; was " + numProcesses);
        }

        BatchingOptions batching = batching(top.section("batching_options"));
        DecoderConfig decoder = decoder(top.section("decoder_config"));
        FpPrecision fpPrecision = top.choice("fp_precision", FpPrecision.values(), FpPrecision.FLOAT32);
        QuantizationConfig quantization = quantization(top.section("quantization_config"));
        Integer seed = top.integer("seed", IntRange.any(), 42);
        Integer warmupBatches = top.integer("warmup_batches", IntRange.atLeast(0), 0);
        KafkaSettings kafka = kafka(top.section("kafka"));
        EnergySettings energy = energy(top.section("energy"));
        String hfToken = top.string("hf_token", null);

        top.reportUnknownKeys();
        if (problems.size() > before) {
            return null;
        }
        if (hfToken != null) {
            LOG.warn("{}: hf_token is set in a config file; prefer the {} environment variable so the token stays "
                    + "out of files (it wins when both are set)", top.locationOf("hf_token"),
                    ExperimentConfig.HF_TOKEN_ENV);
        }
        return new ExperimentConfig(source, configName, modelName, revision, isEncoderDecoder, taskType,
                inferenceType, sourceLang, targetLang, maxInputTokens, maxOutputTokens, minOutputTokens,
                numInputPrompts, prompts, saveOutputs, gpuList, numProcesses, batching, decoder, fpPrecision,
                quantization, seed, warmupBatches, kafka, energy, hfToken == null ? null : new Secret(hfToken));
    }

    private static PromptSource prompts(SectionReader top) {
        SectionReader section = top.section("prompts");
        Path file = section.path("file");
        String builtin = section.string("builtin", null);
        if (!section.isPresent()) {
            return null; // unset, or not a mapping (already reported)
        }
        boolean hasFile = section.has("file");
        if (hasFile == section.has("builtin")) {
            top.problem("prompts", "must set exactly one of 'file' (a path relative to this config file) or "
                    + "'builtin' (the name of a built-in prompt set)" + (hasFile ? ", not both; to replace an "
                    + "inherited one, set the other to null" : ""));
            return null;
        }
        if (file != null) {
            return PromptSource.ofFile(file);
        }
        return builtin == null ? null : PromptSource.ofBuiltin(builtin);
    }

    private static BatchingOptions batching(SectionReader section) {
        Integer batchSize = section.integer("batch_size", IntRange.atLeast(1), 1);
        Boolean dynamic = section.bool("dynamic_batching", false);
        return batchSize == null || dynamic == null ? null : new BatchingOptions(batchSize, dynamic);
    }

    private static DecoderConfig decoder(SectionReader section) {
        Double temperature = section.number("temperature", DoubleRange.atLeast(0), 1.0);
        Double topP = section.number("top_p", DoubleRange.above(0, 1), 1.0);
        Integer topK = section.integer("top_k", IntRange.atLeast(0), 50);
        Boolean doSample = section.bool("do_sample", null);
        if (temperature == null || topP == null || topK == null || section.has("do_sample") && doSample == null) {
            return null;
        }
        if (doSample == null) {
            doSample = temperature > 0;
        } else if (doSample && temperature == 0) {
            section.problem("do_sample", "cannot be true when temperature is 0, which means greedy decoding; "
                    + "set temperature > 0 or do_sample: false");
            return null;
        }
        return new DecoderConfig(temperature, topP, topK, doSample);
    }

    private static QuantizationConfig quantization(SectionReader section) {
        Boolean quantization = section.bool("quantization", null);
        Boolean fourBit = section.bool("load_in_4bit", false);
        Boolean eightBit = section.bool("load_in_8bit", false);
        if (fourBit == null || eightBit == null || section.has("quantization") && quantization == null) {
            return null;
        }
        if (fourBit && eightBit) {
            section.problem("load_in_8bit", "cannot be true together with load_in_4bit; choose one bit width");
            return null;
        }
        boolean bitsChosen = fourBit || eightBit;
        if (quantization == null) {
            quantization = bitsChosen;
        } else if (quantization != bitsChosen) {
            section.problem("quantization", quantization
                    ? "is true but neither load_in_4bit nor load_in_8bit is; set one of them"
                    : "is false but load_in_" + (fourBit ? "4" : "8") + "bit is true; set quantization: true "
                    + "or leave it out");
            return null;
        }
        return new QuantizationConfig(quantization, fourBit, eightBit);
    }

    private static KafkaSettings kafka(SectionReader section) {
        String bootstrap = section.string("bootstrap_servers", null);
        if (bootstrap != null && !BOOTSTRAP.matcher(bootstrap).matches()) {
            section.problem("bootstrap_servers", "must be host:port[,host:port...], was '" + bootstrap
                    + "'; leave it out to run the embedded broker");
            bootstrap = null;
        }
        Path propertiesFile = section.path("client_properties_file");
        Map<String, String> properties = section.stringMap("client_properties");
        String topic = section.string("topic", KafkaSettings.DEFAULT_TOPIC);
        if (topic != null && !TOPIC.matcher(topic).matches()) {
            section.problem("topic", "must be 1 to 249 of the characters a-z A-Z 0-9 . _ -, was '" + topic + "'");
            topic = null;
        }
        Integer partitions = section.integer("partitions", IntRange.atLeast(1), 6);
        Integer replication = section.integer("replication_factor", IntRange.atLeast(1), 1);
        if (properties == null || topic == null || partitions == null || replication == null) {
            return null;
        }
        return new KafkaSettings(bootstrap, propertiesFile, properties, topic, partitions, replication);
    }

    private static EnergySettings energy(SectionReader section) {
        List<String> plugins = section.stringList("plugins", true);
        List<String> excluded = section.stringList("exclude_plugins", true);
        if (plugins != null && excluded != null) {
            excluded.stream().filter(plugins::contains).findFirst().ifPresent(both -> section.problem(
                    "exclude_plugins", "'" + both + "' is also listed in plugins; name a plugin in one of them"));
        }
        Integer interval = section.integer("sampling_interval_ms", IntRange.atLeast(1), 100);
        Double idle = section.number("idle_baseline_seconds", DoubleRange.atLeast(0), 0.0);
        String region = section.string("carbon_region", EnergySettings.DEFAULT_REGION);
        if (region != null && !REGION.matcher(region).matches()) {
            section.problem("carbon_region", "must be a region code such as FR, US-CAL or WORLD, was '"
                    + region + "'");
            region = null;
        }
        Double pue = section.number("pue", DoubleRange.atLeast(1), 1.0);
        if (plugins == null || excluded == null || interval == null || idle == null || region == null
                || pue == null) {
            return null;
        }
        return new EnergySettings(plugins, excluded, interval, idle, region, pue);
    }
}
