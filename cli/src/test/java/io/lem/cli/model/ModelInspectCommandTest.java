package io.lem.cli.model;

import io.lem.cli.CliRun;
import io.lem.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ModelInspectCommandTest {

    /** hidden 8, 2 layers, 2 heads with 1 KV head, intermediate 16, vocab 10, untied. Counted by hand below. */
    private static final String TINY_LLAMA = """
            {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 8,
             "intermediate_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1,
             "vocab_size": 10, "rms_norm_eps": 1e-5, "tie_word_embeddings": false}""";

    @TempDir
    Path dir;

    @Test
    void exactParameterCountsAndFlopsFromConfigAlone() throws IOException {
        Files.writeString(dir.resolve("config.json"), TINY_LLAMA);
        // per layer: q 8x8=64, k 8x4=32, v 32, o 64 -> 192; mlp 3 x 8x16 = 384; norms 2 x 8 = 16
        // total: embed 80 + 2 x (192 + 384 + 16) + final norm 8 + head 80 = 1352
        CliRun json = CliRun.of("model", "inspect", dir.toString(), "--seq-len", "3", "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        assertThat(json.out()).contains("\"total\" : 1352", "\"embedding\" : 80", "\"non_embedding\" : 1272",
                "\"lm_head\" : 80", "\"architecture-dense\"", "\"architecture-causal\"", "\"parameter\"");
        // parameter method: 2 x non-embedding x tokens = 2 x 1272 x 3
        assertThat(json.out()).contains("\"flops\" : 7632");

        CliRun text = CliRun.of("model", "inspect", dir.resolve("config.json").toString());
        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).contains("1,352 total = 80 embedding + 1,272 non-embedding", "2 heads (1 kv");
    }

    @Test
    void unsupportedModelTypeAndMissingConfigAreOneLine() throws IOException {
        CliRun missing = CliRun.of("model", "inspect", dir.toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(missing.err()).isEqualTo("lem: no config.json at " + dir.resolve("config.json")
                + System.lineSeparator());

        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}");
        CliRun t5 = CliRun.of("model", "inspect", dir.toString());
        assertThat(t5.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(t5.err()).startsWith("lem: " + dir.resolve("config.json") + ": ").contains("llama", "gpt2")
                .hasLineCount(1);
    }

    @Test
    void hubIdFetchesOnlyConfigJsonAndWorksOfflineFromTheCache() throws Exception {
        String repo = "lem-test/huge-llama";
        try (ConfigOnlyHub hub = new ConfigOnlyHub(repo, Map.of("config.json", TINY_LLAMA.getBytes(StandardCharsets.UTF_8),
                "model.safetensors", new byte[64]))) {
            Run online = lem(hub, false, "model", "inspect", repo, "--seq-len", "3");
            assertThat(online.exitCode()).as(online.output()).isZero();
            assertThat(online.output()).contains("from " + repo + "@" + ConfigOnlyHub.COMMIT,
                    "1,352 total = 80 embedding + 1,272 non-embedding");
            assertThat(hub.requests()).isNotEmpty().allMatch(r -> r.endsWith("/config.json"));
            Path snapshot = dir.resolve("hf/hub/models--lem-test--huge-llama/snapshots/" + ConfigOnlyHub.COMMIT);
            assertThat(snapshot.resolve("config.json")).hasContent(TINY_LLAMA);
            assertThat(snapshot.resolve("model.safetensors")).doesNotExist();

            int before = hub.requests().size();
            Run offline = lem(hub, true, "model", "inspect", repo, "--revision", "main", "--json");
            assertThat(offline.exitCode()).as(offline.output()).isZero();
            assertThat(offline.output()).contains("\"total\" : 1352");
            Run absent = lem(hub, true, "model", "inspect", "lem-test/other");
            assertThat(absent.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
            assertThat(absent.output().strip()).startsWith("lem: lem-test/other: config.json of lem-test/other")
                    .contains("offline mode is on (HF_HUB_OFFLINE=1)").hasLineCount(1);
            assertThat(hub.requests()).hasSize(before);
        }
    }

    private record Run(int exitCode, String output) {
    }

    /** lem in a child JVM: the hub settings come from the environment, which a test cannot change in-process. */
    private Run lem(ConfigOnlyHub hub, boolean offline, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "io.lem.cli.LemMain"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("HF_") || k.equals("HUGGING_FACE_HUB_TOKEN")
                || k.equals("TRANSFORMERS_OFFLINE"));
        env.put("HF_HOME", dir.resolve("hf").toString());
        env.put("HF_ENDPOINT", hub.endpoint());
        if (offline) {
            env.put("HF_HUB_OFFLINE", "1");
        }
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), output);
    }
}
