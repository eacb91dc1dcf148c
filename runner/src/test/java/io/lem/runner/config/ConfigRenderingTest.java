package io.lem.runner.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.lem.runner.config.ConfigFiles.CONFIG_NAME;
import static io.lem.runner.config.ConfigFiles.MODEL_NAME;
import static io.lem.runner.config.ConfigFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

class ConfigRenderingTest {

    @TempDir
    Path dir;

    /** Sets every field away from its default, secrets aside (they do not survive rendering, by design). */
    private Path everythingSet() {
        write(dir, "base.yaml",
                "model_name: Helsinki-NLP/opus-mt-en-de",
                "revision: 0123",
                "prompts:",
                "  file: prompts/en.txt",
                "kafka:",
                "  client_properties_file: client.properties");
        return write(dir, "full.yaml",
                "_extends: base.yaml",
                "config_name: full",
                "is_encoder_decoder: true",
                "task_type: translation",
                "inference_type: pure_generative",
                "source_lang: en",
                "target_lang: de",
                "max_input_tokens: 300",
                "max_output_tokens: 90",
                "min_output_tokens: 5",
                "num_input_prompts: 64",
                "save_outputs: true",
                "gpu_list: [3, 1]",
                "num_processes: 2",
                "batching_options: {batch_size: 16, dynamic_batching: true}",
                "decoder_config: {temperature: 0.6, top_p: 0.95, top_k: 0, do_sample: true}",
                "fp_precision: bfloat16",
                "quantization_config: {load_in_8bit: true}",
                "seed: -7",
                "warmup_batches: 2",
                "kafka:",
                "  bootstrap_servers: broker-1:9092,broker-2:9093",
                "  client_properties:",
                "    security.protocol: SASL_SSL",
                "    sasl.mechanism: PLAIN",
                "  topic: lem.test",
                "  partitions: 12",
                "  replication_factor: 3",
                "energy:",
                "  plugins: [nvml, rapl]",
                "  exclude_plugins: [flops]",
                "  sampling_interval_ms: 50",
                "  idle_baseline_seconds: 2.5",
                "  carbon_region: NO",
                "  pue: 1.4");
    }

    @Test
    void everyFieldIsRenderedInOrderWithItsDefault() {
        Path file = write(dir, "minimal.yaml", CONFIG_NAME, MODEL_NAME);

        Map<String, Object> map = ConfigRendering.toMap(ConfigLoader.load(file));

        assertThat(map.keySet()).containsExactly("config_name", "model_name", "revision", "is_encoder_decoder",
                "task_type", "inference_type", "source_lang", "target_lang", "max_input_tokens",
                "max_output_tokens", "min_output_tokens", "num_input_prompts", "prompts", "save_outputs",
                "gpu_list", "num_processes", "batching_options", "decoder_config", "fp_precision",
                "quantization_config", "seed", "warmup_batches", "kafka", "energy", "hf_token");
        assertThat(map).containsEntry("task_type", "text_generation")
                .containsEntry("max_input_tokens", 512)
                .containsEntry("num_processes", 1)
                .containsEntry("fp_precision", "float32")
                .containsEntry("num_input_prompts", null)
                .containsEntry("hf_token", null);
        assertThat(section(map, "decoder_config")).containsExactly(Map.entry("temperature", 1.0),
                Map.entry("top_p", 1.0), Map.entry("top_k", 50), Map.entry("do_sample", true));
        assertThat(section(map, "kafka")).containsEntry("topic", "lem.events.v1")
                .containsEntry("partitions", 6).containsEntry("replication_factor", 1);
        assertThat(section(map, "energy")).containsEntry("carbon_region", "WORLD")
                .containsEntry("sampling_interval_ms", 100).containsEntry("pue", 1.0);
    }

    @Test
    void secretsAreRedacted() {
        Path file = write(dir, "secret.yaml", CONFIG_NAME, MODEL_NAME,
                "hf_token: hf_abcdef",
                "kafka:",
                "  client_properties:",
                "    security.protocol: SASL_SSL",
                "    sasl.jaas.config: PlainLoginModule required password=\"p4ss\";",
                "    ssl.key.password: k3y",
                "    sasl.oauthbearer.client.credentials.client.secret: s3cret");
        ExperimentConfig config = ConfigLoader.load(file);

        Map<String, Object> map = ConfigRendering.toMap(config);

        assertThat(map).containsEntry("hf_token", "***redacted***");
        assertThat(section(section(map, "kafka"), "client_properties")).containsExactly(
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.jaas.config", "***redacted***"),
                Map.entry("ssl.key.password", "***redacted***"),
                Map.entry("sasl.oauthbearer.client.credentials.client.secret", "***redacted***"));
        for (String shown : new String[] {ConfigRendering.toYaml(config), ConfigRendering.toJson(config),
                config.toString()}) {
            assertThat(shown).doesNotContain("hf_abcdef", "p4ss", "k3y", "s3cret");
        }
        assertThat(config.kafka().clientProperties()).containsEntry("ssl.key.password", "k3y");
    }

    @Test
    void renderedYamlLoadsBackToTheSameConfig() {
        ExperimentConfig original = ConfigLoader.load(everythingSet());

        Path copy = write(dir, "elsewhere/rendered.yaml", ConfigRendering.toYaml(original));

        assertThat(ConfigLoader.load(copy)).isEqualTo(original.withSourcePath(copy));
    }

    @Test
    void renderedJsonLoadsBackToTheSameConfig() {
        ExperimentConfig original = ConfigLoader.load(everythingSet());

        Path copy = write(dir, "elsewhere/rendered.json", ConfigRendering.toJson(original));

        assertThat(ConfigLoader.load(copy)).isEqualTo(original.withSourcePath(copy));
    }

    @Test
    void renderedDefaultsLoadBackToTheSameConfig() {
        ExperimentConfig original = ConfigLoader.load(write(dir, "minimal.yaml", CONFIG_NAME, MODEL_NAME));

        Path copy = write(dir, "rendered.yaml", ConfigRendering.toYaml(original));

        assertThat(ConfigLoader.load(copy)).isEqualTo(original.withSourcePath(copy));
    }

    @Test
    void fullConfigIsReadAsWritten() {
        ExperimentConfig config = ConfigLoader.load(everythingSet());

        assertThat(config.revision()).isEqualTo("0123");
        assertThat(config.prompts()).isEqualTo(PromptSource.ofFile(dir.resolve("prompts/en.txt").toAbsolutePath()));
        assertThat(config.gpuList()).containsExactly(3, 1);
        assertThat(config.quantizationConfig()).isEqualTo(new QuantizationConfig(true, false, true));
        assertThat(config.kafka().bootstrapServers()).isEqualTo("broker-1:9092,broker-2:9093");
        assertThat(config.energy()).isEqualTo(new EnergySettings(java.util.List.of("nvml", "rapl"),
                java.util.List.of("flops"), 50, 2.5, "NO", 1.4));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> map, String key) {
        return (Map<String, Object>) map.get(key);
    }
}
