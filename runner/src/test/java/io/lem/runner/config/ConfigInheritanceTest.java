package io.lem.runner.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.lem.runner.config.ConfigFiles.CONFIG_NAME;
import static io.lem.runner.config.ConfigFiles.MODEL_NAME;
import static io.lem.runner.config.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigInheritanceTest {

    @TempDir
    Path dir;

    @Test
    void chainOfThreeFilesMergesMapsDeeplyAndReplacesLists() {
        write(dir, "shared/grandparent.yaml",
                "model_name: gpt2",
                "max_input_tokens: 256",
                "gpu_list: [0, 1, 2, 3]",
                "decoder_config:",
                "  temperature: 0.7",
                "  top_p: 0.9",
                "  top_k: 40",
                "energy:",
                "  plugins: [nvml, rapl, ram-model]",
                "  pue: 1.2");
        write(dir, "family/parent.yaml",
                "_extends: ../shared/grandparent.yaml",
                "gpu_list: [0, 1]",
                "decoder_config:",
                "  top_k: 10",
                "energy:",
                "  carbon_region: FR");
        Path child = write(dir, "family/child.yaml",
                "_extends: parent.yaml",
                "config_name: child",
                "decoder_config:",
                "  temperature: 0.2",
                "energy:",
                "  plugins: [nvml]");

        ExperimentConfig config = ConfigLoader.load(child);

        assertThat(config.configName()).isEqualTo("child");
        assertThat(config.modelName()).isEqualTo("gpt2");
        assertThat(config.maxInputTokens()).isEqualTo(256);
        assertThat(config.gpuList()).containsExactly(0, 1);
        assertThat(config.numProcesses()).isEqualTo(2);
        assertThat(config.decoderConfig()).isEqualTo(new DecoderConfig(0.2, 0.9, 10, true));
        assertThat(config.energy().plugins()).containsExactly("nvml");
        assertThat(config.energy().carbonRegion()).isEqualTo("FR");
        assertThat(config.energy().pue()).isEqualTo(1.2);
    }

    @Test
    void listOfParentsIsAppliedInOrderThenTheFileItself() {
        write(dir, "a.yaml", "model_name: from-a", "max_input_tokens: 100", "seed: 1");
        write(dir, "b.yaml", "model_name: from-b", "max_output_tokens: 20", "seed: 2");
        Path child = write(dir, "child.yaml", "_extends: [a.yaml, b.yaml]", CONFIG_NAME, "seed: 3");

        ExperimentConfig config = ConfigLoader.load(child);

        assertThat(config.modelName()).isEqualTo("from-b");
        assertThat(config.maxInputTokens()).isEqualTo(100);
        assertThat(config.maxOutputTokens()).isEqualTo(20);
        assertThat(config.seed()).isEqualTo(3);
    }

    @Test
    void diamondIsNotACycle() {
        write(dir, "root.yaml", MODEL_NAME);
        write(dir, "left.yaml", "_extends: root.yaml", "seed: 1");
        write(dir, "right.yaml", "_extends: root.yaml", "warmup_batches: 2");
        Path child = write(dir, "child.yaml", "_extends: [left.yaml, right.yaml]", CONFIG_NAME);

        ExperimentConfig config = ConfigLoader.load(child);

        assertThat(config.seed()).isEqualTo(1);
        assertThat(config.warmupBatches()).isEqualTo(2);
    }

    @Test
    void nullInAChildClearsTheParentsValue() {
        write(dir, "parent.yaml", MODEL_NAME, "num_input_prompts: 10", "prompts:", "  builtin: alpaca");
        Path child = write(dir, "child.yaml", "_extends: parent.yaml", CONFIG_NAME,
                "num_input_prompts: null", "prompts:", "  builtin: null", "  file: mine.txt");

        ExperimentConfig config = ConfigLoader.load(child);

        assertThat(config.numInputPrompts()).isNull();
        assertThat(config.prompts()).isEqualTo(PromptSource.ofFile(dir.resolve("mine.txt").toAbsolutePath()));
    }

    @Test
    void pathsInAParentAreRelativeToTheParent() {
        write(dir, "base/base.yaml", MODEL_NAME, "prompts:", "  file: prompts.txt",
                "kafka:", "  client_properties_file: ../secrets/client.properties");
        Path child = write(dir, "experiments/x.yaml", "_extends: ../base/base.yaml", CONFIG_NAME);

        ExperimentConfig config = ConfigLoader.load(child);

        assertThat(config.prompts().file()).isEqualTo(dir.resolve("base/prompts.txt").toAbsolutePath());
        assertThat(config.kafka().clientPropertiesFile())
                .isEqualTo(dir.resolve("secrets/client.properties").toAbsolutePath());
    }

    @Test
    void cycleIsDetectedAndNamed() {
        Path a = write(dir, "a.yaml", "_extends: b.yaml", CONFIG_NAME, MODEL_NAME);
        write(dir, "b.yaml", "seed: 1", "_extends: c.yaml");
        Path c = write(dir, "c.yaml", "_extends:", "  - a.yaml");

        List<ConfigProblem> problems = ConfigLoader.validate(a);

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.file()).isEqualTo(c);
            assertThat(problem.line()).isEqualTo(2);
            assertThat(problem.field()).isEqualTo("_extends");
            assertThat(problem.message()).isEqualTo("cycle: " + a + " -> " + dir.resolve("b.yaml") + " -> " + c
                    + " -> " + a);
        });
    }

    @Test
    void fileExtendingItselfIsACycle() {
        Path self = write(dir, "self.yaml", CONFIG_NAME, MODEL_NAME, "_extends: ./self.yaml");

        assertThat(ConfigLoader.validate(self)).singleElement()
                .satisfies(problem -> assertThat(problem.oneLine())
                        .isEqualTo(self + ":3: _extends: cycle: " + self + " -> " + self));
    }

    @Test
    void missingExtendsTargetNamesTheReferencingFileAndLine() {
        Path child = write(dir, "child.yaml", CONFIG_NAME, MODEL_NAME, "_extends: [missing.yaml]");

        assertThatThrownBy(() -> ConfigLoader.load(child))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
                        .satisfies(problem -> assertThat(problem.oneLine()).startsWith(
                                child + ":3: _extends: file not found: " + dir.resolve("missing.yaml"))));
    }

    @Test
    void extendsMustBeAPathOrAListOfPaths() {
        Path child = write(dir, "child.yaml", CONFIG_NAME, MODEL_NAME, "_extends:", "  - base.yaml", "  - {a: 1}");

        assertThat(ConfigLoader.validate(child)).singleElement()
                .satisfies(problem -> assertThat(problem.oneLine()).isEqualTo(
                        child + ":5: _extends: must be a file path or a list of file paths, was a mapping"));
    }

    @Test
    void problemInAnInheritedValueNamesTheParentFileAndLine() {
        Path parent = write(dir, "parent.yaml",
                "# shared settings",
                MODEL_NAME,
                "decoder_config:",
                "  top_p: 1.5",
                "gpu_list: [0, 1]");
        Path child = write(dir, "child.yaml", "_extends: parent.yaml", CONFIG_NAME, "num_processes: 3");

        assertThat(ConfigLoader.validate(child)).extracting(ConfigProblem::oneLine).containsExactly(
                child + ":3: num_processes: must equal the length of gpu_list (2 GPUs at " + parent
                        + ":5), one process per GPU; was 3",
                parent + ":4: decoder_config.top_p: must be in (0, 1], was 1.5");
    }

    @Test
    void malformedParentIsReportedAtTheParent() {
        Path parent = write(dir, "parent.yaml", "model_name: gpt2", "  seed: 1");
        Path child = write(dir, "child.yaml", "_extends: parent.yaml", CONFIG_NAME);

        assertThat(ConfigLoader.validate(child)).singleElement()
                .satisfies(problem -> assertThat(problem.oneLine()).startsWith(parent + ":2: malformed YAML: "));
    }
}
