package io.lem.runner.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;

import static io.lem.runner.config.ConfigFiles.CONFIG_NAME;
import static io.lem.runner.config.ConfigFiles.MODEL_NAME;
import static io.lem.runner.config.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigValidationTest {

    @TempDir
    Path dir;

    /** Validates a config whose third line is {@code line} and returns its problems, one line each. */
    private List<String> problemsOf(String... lines) {
        String[] all = new String[lines.length + 2];
        all[0] = CONFIG_NAME;
        all[1] = MODEL_NAME;
        System.arraycopy(lines, 0, all, 2, lines.length);
        Path file = write(dir, "c.yaml", all);
        return ConfigLoader.validate(file).stream()
                .map(p -> p.oneLine().substring(file.toString().length()))
                .toList();
    }

    @Test
    void unknownKeySuggestsTheNearestValidKey() {
        assertThat(problemsOf("max_ouput_tokens: 64"))
                .containsExactly(":3: max_ouput_tokens: unknown key; did you mean 'max_output_tokens'?");
    }

    @Test
    void unknownNestedKeySuggestsTheNearestKeyOfItsSection() {
        assertThat(problemsOf("decoder_config:", "  top_p: 0.9", "  temprature: 0.5", "kafka:", "  partitons: 3"))
                .containsExactly(
                        ":5: decoder_config.temprature: unknown key; did you mean 'temperature'?",
                        ":7: kafka.partitons: unknown key; did you mean 'partitions'?");
    }

    @Test
    void keyAtTheWrongLevelPointsToItsSection() {
        assertThat(problemsOf("batch_size: 8"))
                .containsExactly(":3: batch_size: unknown key here; did you mean 'batching_options.batch_size'?");
    }

    @Test
    void translationNeedsBothLanguages() {
        assertThat(problemsOf("task_type: translation")).containsExactly(
                ":1: source_lang: is required when task_type is translation: the language of the inputs, e.g. "
                        + "English or en",
                ":1: target_lang: is required when task_type is translation: the language to translate into, e.g. "
                        + "German or de");
        assertThat(problemsOf("task_type: translation", "source_lang: en", "target_lang: German")).isEmpty();
        assertThat(problemsOf("task_type: summarisation")).isEmpty();
    }

    @Test
    void unknownKeyWithNothingNearListsTheAllowedKeys() {
        assertThat(problemsOf("batching_options:", "  frobnicate: true")).containsExactly(
                ":4: batching_options.frobnicate: unknown key; allowed keys in batching_options are: "
                        + "batch_size, dynamic_batching");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            max_input_tokens: 0                        | max_input_tokens: must be >= 1, was 0
            max_input_tokens: lots                     | max_input_tokens: must be an integer >= 1, was 'lots'
            max_input_tokens: 12.5                     | max_input_tokens: must be an integer >= 1, was 12.5
            max_input_tokens: 99999999999              | max_input_tokens: must be an integer >= 1 that fits 32 bits, was 99999999999
            max_output_tokens: -5                      | max_output_tokens: must be >= 1, was -5
            min_output_tokens: -1                      | min_output_tokens: must be >= 0, was -1
            num_input_prompts: 0                       | num_input_prompts: must be >= 1, was 0
            is_encoder_decoder: maybe                  | is_encoder_decoder: must be true or false, was 'maybe'
            save_outputs: 1                            | save_outputs: must be true or false, was 1
            task_type: generation                      | task_type: must be one of text_generation, translation, summarisation; was 'generation', did you mean 'text_generation'?
            fp_precision: float61                      | fp_precision: must be one of float32, float16, bfloat16; was 'float61', did you mean 'float16'?
            inference_type: streaming                  | inference_type: must be one of pure_generative; was 'streaming'
            revision: ''                               | revision: must not be empty; leave the key out (or set it to null) for the default
            source_lang: [a, b]                        | source_lang: must be a string, was a list
            gpu_list: [0, -1]                          | gpu_list[1]: must be >= 0, was -1
            gpu_list: [0, 1, 1]                        | gpu_list[2]: duplicate value 1; each value may appear once
            gpu_list: 0                                | gpu_list: must be a list of integers, e.g. [0, 1], was 0
            num_processes: 0                           | num_processes: must be >= 1, was 0
            batching_options: 4                        | batching_options: must be a mapping of keys to values, was 4
            batching_options: {batch_size: 0}          | batching_options.batch_size: must be >= 1, was 0
            batching_options: {dynamic_batching: no please} | batching_options.dynamic_batching: must be true or false, was 'no please'
            decoder_config: {temperature: -0.1}        | decoder_config.temperature: must be >= 0, was -0.1
            decoder_config: {temperature: hot}         | decoder_config.temperature: must be a number >= 0, was 'hot'
            decoder_config: {top_p: 1.5}               | decoder_config.top_p: must be in (0, 1], was 1.5
            decoder_config: {top_p: 0}                 | decoder_config.top_p: must be in (0, 1], was 0
            decoder_config: {top_k: -1}                | decoder_config.top_k: must be >= 0, was -1
            decoder_config: {temperature: 0, do_sample: true} | decoder_config.do_sample: cannot be true when temperature is 0, which means greedy decoding; set temperature > 0 or do_sample: false
            quantization_config: {load_in_4bit: true, load_in_8bit: true} | quantization_config.load_in_8bit: cannot be true together with load_in_4bit; choose one bit width
            quantization_config: {quantization: true}  | quantization_config.quantization: is true but neither load_in_4bit nor load_in_8bit is; set one of them
            quantization_config: {quantization: false, load_in_8bit: true} | quantization_config.quantization: is false but load_in_8bit is true; set quantization: true or leave it out
            seed: abc                                  | seed: must be an integer, was 'abc'
            warmup_batches: -1                         | warmup_batches: must be >= 0, was -1
            prompts: {}                                | prompts: must set exactly one of 'file' (a path relative to this config file) or 'builtin' (the name of a built-in prompt set)
            prompts: {file: p.txt, builtin: alpaca}    | prompts: must set exactly one of 'file' (a path relative to this config file) or 'builtin' (the name of a built-in prompt set), not both; to replace an inherited one, set the other to null
            prompts: p.txt                             | prompts: must be a mapping of keys to values, was 'p.txt'
            kafka: {bootstrap_servers: localhost}      | kafka.bootstrap_servers: must be host:port[,host:port...], was 'localhost'; leave it out to run the embedded broker
            kafka: {topic: 'bad topic'}                | kafka.topic: must be 1 to 249 of the characters a-z A-Z 0-9 . _ -, was 'bad topic'
            kafka: {partitions: 0}                     | kafka.partitions: must be >= 1, was 0
            kafka: {replication_factor: 0}             | kafka.replication_factor: must be >= 1, was 0
            kafka: {client_properties: {sasl.jaas.config: [x]}} | kafka.client_properties.sasl.jaas.config: must be a single value (string, number or boolean), was a list
            energy: {plugins: nvml}                    | energy.plugins: must be a list of names, e.g. [nvml, rapl], was 'nvml'
            energy: {plugins: [nvml, nvml]}            | energy.plugins[1]: duplicate value 'nvml'; each value may appear once
            energy: {plugins: [nvml], exclude_plugins: [nvml]} | energy.exclude_plugins: 'nvml' is also listed in plugins; name a plugin in one of them
            energy: {sampling_interval_ms: 0}          | energy.sampling_interval_ms: must be >= 1, was 0
            energy: {idle_baseline_seconds: -1}        | energy.idle_baseline_seconds: must be >= 0, was -1
            energy: {carbon_region: 'US CAL'}          | energy.carbon_region: must be a region code such as FR, US-CAL or WORLD, was 'US CAL'
            energy: {pue: 0.9}                         | energy.pue: must be >= 1, was 0.9
            energy: {pue: .inf}                        | energy.pue: must be a number >= 1, was '.inf'
            hf_token: {a: b}                           | hf_token: must be a string, was a mapping
            """)
    void eachRangeAndTypeRuleNamesTheFieldAndWhatIsAllowed(String line, String expected) {
        assertThat(problemsOf(line)).containsExactly(":3: " + expected);
    }

    @Test
    void minOutputTokensMustNotExceedMaxOutputTokens() {
        assertThat(problemsOf("max_output_tokens: 16", "min_output_tokens: 32"))
                .containsExactly(":4: min_output_tokens: must be <= max_output_tokens (16), was 32");
    }

    @Test
    void numProcessesMustMatchTheGpuList() {
        Path file = write(dir, "gpus.yaml", CONFIG_NAME, MODEL_NAME, "gpu_list: [0, 1]", "num_processes: 4");

        assertThat(ConfigLoader.validate(file)).extracting(ConfigProblem::oneLine).containsExactly(
                file + ":4: num_processes: must equal the length of gpu_list (2 GPUs at " + file
                        + ":3), one process per GPU; was 4");
    }

    @Test
    void emptyGpuListLeavesNumProcessesFree() {
        assertThat(problemsOf("gpu_list: []", "num_processes: 4")).isEmpty();
    }

    @Test
    void missingRequiredFieldsAreBothReported() {
        Path file = write(dir, "empty.yaml", "# nothing here yet", "seed: 7");

        assertThat(ConfigLoader.validate(file)).extracting(ConfigProblem::oneLine).containsExactly(
                file + ":2: config_name: is required: a name for this experiment, e.g. llama2-7b-fp16",
                file + ":2: model_name: is required: a HuggingFace model id such as gpt2 or "
                        + "meta-llama/Llama-2-7b-hf, or a local model directory");
    }

    @Test
    void everyProblemOfAFileIsCollectedInLineOrder() {
        assertThat(problemsOf(
                "max_input_tokens: 0",
                "decoder_config:",
                "  top_k: -3",
                "  top_p: 2",
                "fp_precison: float16",
                "energy:",
                "  pue: 0"))
                .containsExactly(
                        ":3: max_input_tokens: must be >= 1, was 0",
                        ":5: decoder_config.top_k: must be >= 0, was -3",
                        ":6: decoder_config.top_p: must be in (0, 1], was 2",
                        ":7: fp_precison: unknown key; did you mean 'fp_precision'?",
                        ":9: energy.pue: must be >= 1, was 0");
    }

    @Test
    void loadThrowsWithEveryProblem() {
        Path file = write(dir, "bad.yaml", CONFIG_NAME, MODEL_NAME, "seed: x", "warmup_batches: -1");

        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ":3: seed: must be an integer, was 'x'" + System.lineSeparator()
                        + file + ":4: warmup_batches: must be >= 0, was -1");
    }

    @Test
    void duplicateKeyIsAnError() {
        assertThat(problemsOf("seed: 1", "seed: 2"))
                .containsExactly(":4: seed: duplicate key; it is already set on line 3");
    }

    @Test
    void secretsAreNotEchoedInProblems() {
        assertThat(problemsOf("hf_token: ''", "kafka:", "  client_properties:",
                "    ssl.key.password: [hunter2]", "    sasl.jaas.config: null"))
                .hasSize(3)
                .noneMatch(line -> line.contains("hunter2"));
    }
}
