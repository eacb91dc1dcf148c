package io.lem.runner.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.lem.runner.config.ConfigFiles.CONFIG_NAME;
import static io.lem.runner.config.ConfigFiles.MODEL_NAME;
import static io.lem.runner.config.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

class ConfigDefaultsTest {

    @TempDir
    Path dir;

    @Test
    void minimalConfigGetsEveryDefault() {
        Path file = write(dir, "minimal.yaml", CONFIG_NAME, MODEL_NAME);

        ExperimentConfig config = ConfigLoader.load(file);

        assertThat(config.sourcePath()).isEqualTo(file);
        assertThat(config.configName()).isEqualTo("test");
        assertThat(config.modelName()).isEqualTo("gpt2");
        assertThat(config.revision()).isNull();
        assertThat(config.isEncoderDecoder()).isFalse();
        assertThat(config.taskType()).isEqualTo(TaskType.TEXT_GENERATION);
        assertThat(config.inferenceType()).isEqualTo(InferenceType.PURE_GENERATIVE);
        assertThat(config.sourceLang()).isNull();
        assertThat(config.targetLang()).isNull();
        assertThat(config.maxInputTokens()).isEqualTo(512);
        assertThat(config.maxOutputTokens()).isEqualTo(128);
        assertThat(config.minOutputTokens()).isZero();
        assertThat(config.numInputPrompts()).isNull();
        assertThat(config.prompts()).isNull();
        assertThat(config.saveOutputs()).isFalse();
        assertThat(config.gpuList()).isEmpty();
        assertThat(config.numProcesses()).isEqualTo(1);
        assertThat(config.batchingOptions()).isEqualTo(new BatchingOptions(1, false));
        assertThat(config.decoderConfig()).isEqualTo(new DecoderConfig(1.0, 1.0, 50, true));
        assertThat(config.fpPrecision()).isEqualTo(FpPrecision.FLOAT32);
        assertThat(config.quantizationConfig()).isEqualTo(new QuantizationConfig(false, false, false));
        assertThat(config.seed()).isEqualTo(42);
        assertThat(config.warmupBatches()).isZero();
        assertThat(config.kafka()).isEqualTo(new KafkaSettings(null, null, Map.of(), "lem.events.v1", 6, 1));
        assertThat(config.energy()).isEqualTo(new EnergySettings(List.of(), List.of(), 100, 0.0, "WORLD", 1.0));
        assertThat(config.hfToken()).isNull();
    }

    @Test
    void numProcessesDefaultsToTheNumberOfGpus() {
        Path file = write(dir, "gpus.yaml", CONFIG_NAME, MODEL_NAME, "gpu_list: [2, 3, 5]");

        assertThat(ConfigLoader.load(file).numProcesses()).isEqualTo(3);
    }

    @Test
    void temperatureZeroMeansGreedy() {
        Path file = write(dir, "greedy.yaml", CONFIG_NAME, MODEL_NAME, "decoder_config:", "  temperature: 0");

        DecoderConfig decoder = ConfigLoader.load(file).decoderConfig();

        assertThat(decoder.doSample()).isFalse();
        assertThat(decoder.greedy()).isTrue();
    }

    @Test
    void doSampleFalseOverridesAPositiveTemperature() {
        Path file = write(dir, "greedy.yaml", CONFIG_NAME, MODEL_NAME,
                "decoder_config:", "  temperature: 0.7", "  do_sample: false");

        assertThat(ConfigLoader.load(file).decoderConfig()).isEqualTo(new DecoderConfig(0.7, 1.0, 50, false));
    }

    @Test
    void quantizationFollowsTheChosenBitWidth() {
        Path file = write(dir, "q.yaml", CONFIG_NAME, MODEL_NAME, "quantization_config:", "  load_in_4bit: true");

        assertThat(ConfigLoader.load(file).quantizationConfig()).isEqualTo(new QuantizationConfig(true, true, false));
    }

    @Test
    void stringFieldsKeepTheirTextEvenWhenYamlReadsABooleanOrNumber() {
        Path file = write(dir, "strings.yaml", CONFIG_NAME, MODEL_NAME,
                "revision: 0123", "energy:", "  carbon_region: NO");

        ExperimentConfig config = ConfigLoader.load(file);

        assertThat(config.revision()).isEqualTo("0123");
        assertThat(config.energy().carbonRegion()).isEqualTo("NO");
    }

    @Test
    void hfTokenFromTheEnvironmentWinsOverTheFile() {
        Path file = write(dir, "token.yaml", CONFIG_NAME, MODEL_NAME, "hf_token: hf_from_file");
        ExperimentConfig config = ConfigLoader.load(file);

        assertThat(config.resolveHfToken(Map.of("HF_TOKEN", "hf_from_env"))).contains("hf_from_env");
        assertThat(config.resolveHfToken(Map.of())).contains("hf_from_file");
        assertThat(config.toString()).doesNotContain("hf_from_file");
    }

    @Test
    void promptFileIsResolvedAgainstTheConfigFile() {
        Path file = write(dir, "sub/prompts.yaml", CONFIG_NAME, MODEL_NAME, "prompts:", "  file: data/p.txt");

        assertThat(ConfigLoader.load(file).prompts())
                .isEqualTo(PromptSource.ofFile(dir.resolve("sub/data/p.txt").toAbsolutePath().normalize()));
    }
}
