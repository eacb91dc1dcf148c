package io.lem.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.cli.CliRun;
import io.lem.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class GenerateAndSynthCommandTest {

    @TempDir
    Path dir;

    @Test
    void synthThenGenerateGreedilyIsDeterministicAndJsonCarriesIdsTextAndTimings() throws Exception {
        Path model = dir.resolve("tiny");
        CliRun synth = CliRun.of("model", "synth", "--arch", "llama", "--layers", "1", "--out", model.toString());
        assertThat(synth.exitCode()).as(synth.err()).isZero();
        assertThat(synth.out()).startsWith("wrote llama model (").contains(model.toString());

        String[] args = {"generate", "--model", model.toString(), "--prompt", "Hello", "--prompt", "The sky is",
                "--max-new-tokens", "5", "--json"};
        CliRun first = CliRun.of(args);
        assertThat(first.exitCode()).as(first.err()).isZero();
        CliRun second = CliRun.of(args);
        ObjectMapper json = new ObjectMapper();
        String[] lines = first.out().strip().split("\n");
        assertThat(lines).hasSize(2);
        JsonNode one = json.readTree(lines[0]);
        assertThat(one.path("prompt").asText()).isEqualTo("Hello");
        assertThat(one.path("outputIds").size()).isBetween(1, 5);
        assertThat(one.path("finishReason").asText()).isIn("eos", "length");
        assertThat(one.path("timings").has("prefillMs")).isTrue();
        assertThat(one.has("inputIds") && one.has("text")).isTrue();
        // greedy: the same ids every time
        assertThat(json.readTree(second.out().strip().split("\n")[0]).path("outputIds"))
                .isEqualTo(one.path("outputIds"));
    }

    @Test
    void badInputIsOneLineWithExitTwo() {
        CliRun noPrompt = CliRun.of("generate", "--model", "lem-synthetic/tiny-llama");
        assertThat(noPrompt.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(noPrompt.err()).isEqualTo("lem: give at least one --prompt or a --prompts-file"
                + System.lineSeparator());

        CliRun badPrecision = CliRun.of("generate", "--model", "x", "--prompt", "a", "--precision", "fp8");
        assertThat(badPrecision.err()).contains("--precision must be float32, float16 or bfloat16");

        CliRun badArch = CliRun.of("model", "synth", "--arch", "t5", "--out", dir.resolve("t5").toString());
        assertThat(badArch.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(badArch.err()).contains("--arch must be llama or gpt2, was 't5'");
    }
}
