package io.lem.runner.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The example configs shipped in {@code configs/} at the repository root all validate. */
class ExampleConfigsTest {

    private static final Path CONFIGS = Path.of(System.getProperty("user.dir")).resolveSibling("configs");

    static Stream<Path> exampleConfigs() throws IOException {
        try (Stream<Path> files = Files.list(CONFIGS)) {
            List<Path> configs = files.filter(f -> f.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList();
            assertThat(configs).isNotEmpty();
            return configs.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exampleConfigs")
    void validates(Path config) {
        assertThat(ConfigLoader.validate(config)).extracting(ConfigProblem::oneLine).isEmpty();
    }

    @Test
    void quickstartRunsTwoProcessesOfTheSyntheticModel() {
        ExperimentConfig config = ConfigLoader.load(CONFIGS.resolve("quickstart.yaml"));

        assertThat(config.modelName()).isEqualTo("lem-synthetic/tiny-llama");
        assertThat(config.numProcesses()).isEqualTo(2);
        assertThat(config.gpuList()).isEmpty();
        assertThat(config.fpPrecision()).isEqualTo(FpPrecision.FLOAT32);
        assertThat(config.batchingOptions().batchSize()).isEqualTo(4);
        assertThat(config.numInputPrompts()).isEqualTo(16);
    }

    @Test
    void encoderDecoderConfigsSaySoAndPickTheirTask() {
        ExperimentConfig flan = ConfigLoader.load(CONFIGS.resolve("flan-t5-summarise.yaml"));
        assertThat(flan.modelName()).isEqualTo("google/flan-t5-small");
        assertThat(flan.isEncoderDecoder()).isTrue();
        assertThat(flan.taskType()).isEqualTo(TaskType.SUMMARISATION);
        assertThat(flan.prompts()).isNull(); // the task's built-in set

        ExperimentConfig bart = ConfigLoader.load(CONFIGS.resolve("bart-cnn-summarise.yaml"));
        assertThat(bart.modelName()).isEqualTo("facebook/bart-large-cnn");
        assertThat(bart.isEncoderDecoder()).isTrue();
        assertThat(bart.taskType()).isEqualTo(TaskType.SUMMARISATION);
        assertThat(bart.minOutputTokens()).isEqualTo(56);
        assertThat(bart.maxOutputTokens()).isEqualTo(142);

        ExperimentConfig quick = ConfigLoader.load(CONFIGS.resolve("quickstart-t5.yaml"));
        assertThat(quick.modelName()).isEqualTo("lem-synthetic/tiny-t5");
        assertThat(quick.taskType()).isEqualTo(TaskType.TRANSLATION);
        assertThat(quick.sourceLang()).isEqualTo("en");
        assertThat(quick.targetLang()).isEqualTo("de");
    }

    @Test
    void llama2UsesTwoGpusInHalfPrecision() {
        ExperimentConfig config = ConfigLoader.load(CONFIGS.resolve("llama2-7b.yaml"));

        assertThat(config.modelName()).isEqualTo("meta-llama/Llama-2-7b-hf");
        assertThat(config.gpuList()).containsExactly(0, 1);
        assertThat(config.numProcesses()).isEqualTo(2);
        assertThat(config.fpPrecision()).isEqualTo(FpPrecision.FLOAT16);
    }
}
