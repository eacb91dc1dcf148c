package io.lem.runner.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.lem.runner.config.ConfigFiles.CONFIG_NAME;
import static io.lem.runner.config.ConfigFiles.MODEL_NAME;
import static io.lem.runner.config.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

class ConfigLineNumbersTest {

    @TempDir
    Path dir;

    @Test
    void yamlProblemsCarryTheirExactLines() {
        Path file = write(dir, "lines.yaml",
                "# an experiment",                 // 1
                "config_name: lines",              // 2
                "",                                // 3
                "model_name: gpt2",                // 4
                "decoder_config:",                 // 5
                "  # sampling",                    // 6
                "  temperature: 0.5",              // 7
                "  top_p: 1.5",                    // 8
                "gpu_list:",                       // 9
                "  - 0",                           // 10
                "  - -2",                          // 11
                "energy:",                         // 12
                "  plugins:",                      // 13
                "    - nvml",                      // 14
                "  sampling_interval: 50");        // 15

        assertThat(ConfigLoader.validate(file)).extracting(ConfigProblem::oneLine).containsExactly(
                file + ":8: decoder_config.top_p: must be in (0, 1], was 1.5",
                file + ":11: gpu_list[1]: must be >= 0, was -2",
                file + ":15: energy.sampling_interval: unknown key; did you mean 'sampling_interval_ms'?");
    }

    @Test
    void jsonProblemsCarryTheirExactLines() {
        Path file = write(dir, "lines.json",
                "{",                                   // 1
                "  \"config_name\": \"lines\",",       // 2
                "  \"model_name\": \"gpt2\",",         // 3
                "  \"decoder_config\": {",             // 4
                "    \"top_p\": 1.5,",                 // 5
                "    \"top_k\": 5",                    // 6
                "  },",                                // 7
                "  \"gpu_list\": [",                   // 8
                "    0,",                              // 9
                "    0",                               // 10
                "  ],",                                // 11
                "  \"batching_options\": {\"batch_sise\": 2}", // 12
                "}");                                  // 13

        assertThat(ConfigLoader.validate(file)).extracting(ConfigProblem::oneLine).containsExactly(
                file + ":5: decoder_config.top_p: must be in (0, 1], was 1.5",
                file + ":10: gpu_list[1]: duplicate value 0; each value may appear once",
                file + ":12: batching_options.batch_sise: unknown key; did you mean 'batch_size'?");
    }

    @Test
    void jsonConfigLoads() {
        Path file = write(dir, "ok.json", "{\"config_name\": \"j\", \"model_name\": \"gpt2\", \"gpu_list\": [0]}");

        assertThat(ConfigLoader.load(file).gpuList()).containsExactly(0);
    }

    @Test
    void malformedYamlIsOneLineWithFileAndLine() {
        Path file = write(dir, "broken.yaml", CONFIG_NAME, MODEL_NAME, "gpu_list: [0, 1", "seed: 3");

        assertThat(ConfigLoader.validate(file)).singleElement().satisfies(problem -> {
            assertThat(problem.oneLine()).isEqualTo(file + ":4: malformed YAML: expected ',' or ']', but got "
                    + ": (while parsing a flow sequence that starts on line 3)");
            assertThat(problem.oneLine()).doesNotContain("\n");
        });
    }

    @Test
    void badIndentationInYamlIsOneLine() {
        Path file = write(dir, "indent.yaml", CONFIG_NAME, MODEL_NAME, "decoder_config:", "  top_p: 0.5",
                "    top_k: 3");

        assertThat(ConfigLoader.validate(file)).singleElement().satisfies(problem ->
                assertThat(problem.oneLine())
                        .isEqualTo(file + ":5: malformed YAML: mapping values are not allowed here"));
    }

    @Test
    void malformedJsonIsOneLineWithFileAndLine() {
        Path file = write(dir, "broken.json", "{", "  \"config_name\": \"x\",", "  \"model_name\": gpt2", "}");

        assertThat(ConfigLoader.validate(file)).singleElement().satisfies(problem -> {
            assertThat(problem.oneLine()).startsWith(file + ":3: malformed JSON: Unrecognized token 'gpt2'");
            assertThat(problem.oneLine()).doesNotContain("\n");
        });
    }

    @Test
    void missingFileIsOneLine() {
        Path file = dir.resolve("nope.yaml");

        assertThat(ConfigLoader.validate(file)).extracting(ConfigProblem::oneLine)
                .containsExactly(file + ": file not found (looked for " + file.toAbsolutePath() + ")");
    }

    @Test
    void topLevelMustBeAMapping() {
        Path file = write(dir, "list.yaml", "# a list", "- a", "- b");

        assertThat(ConfigLoader.validate(file)).extracting(ConfigProblem::oneLine).containsExactly(
                file + ":2: the top level must be a mapping of keys to values, was a list");
    }

    @Test
    void secondYamlDocumentIsRejected() {
        Path file = write(dir, "two.yaml", CONFIG_NAME, MODEL_NAME, "---", "seed: 1");

        assertThat(ConfigLoader.validate(file)).extracting(ConfigProblem::oneLine).containsExactly(
                file + ":4: a config file holds one document; found a second one here");
    }
}
