package io.lem.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.cli.CliRun;
import io.lem.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

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

        CliRun badArch = CliRun.of("model", "synth", "--arch", "bert", "--out", dir.resolve("bert").toString());
        assertThat(badArch.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(badArch.err()).contains("--arch must be one of llama, gpt2, t5, bart, was 'bert'");

        CliRun noLanguages = CliRun.of("generate", "--model", "x", "--prompt", "a", "--task", "translation");
        assertThat(noLanguages.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(noLanguages.err()).contains("--task translation needs --source-lang and --target-lang");
    }

    @Test
    void encoderDecodersSynthesizeInspectAndGenerate() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String arch : List.of("t5", "bart")) {
            Path model = dir.resolve(arch);
            CliRun synth = CliRun.of("model", "synth", "--arch", arch, "--layers", "1", "--out", model.toString());
            assertThat(synth.exitCode()).as(synth.err()).isZero();
            assertThat(synth.out()).startsWith("wrote " + arch + " model (");
            long written = Long.parseLong(synth.out().replaceAll("(?s).*model \\(([0-9,]+) parameters.*", "$1")
                    .replace(",", ""));

            // inspect: the same exact parameter count, encoder and decoder FLOPs apart
            CliRun inspect = CliRun.of("model", "inspect", model.toString(), "--seq-len", "4", "--json");
            assertThat(inspect.exitCode()).as(inspect.err()).isZero();
            JsonNode report = json.readTree(inspect.out());
            assertThat(report.path("encoder_decoder").asBoolean()).isTrue();
            assertThat(report.path("parameters").path("total").asLong()).isEqualTo(written);
            JsonNode dense = report.path("flops").path("generate").path("architecture-dense");
            assertThat(dense.path("encoder").path("flops").asLong()).isPositive();
            assertThat(dense.path("decoder").path("flops").asLong()).isPositive();
            assertThat(dense.path("flops").asLong()).isEqualTo(dense.path("encoder").path("flops").asLong()
                    + dense.path("decoder").path("flops").asLong());
            CliRun text = CliRun.of("model", "inspect", model.toString());
            assertThat(text.out()).contains("(encoder-decoder)", "encoder", "decoder step at T");

            CliRun generate = CliRun.of("generate", "--model", model.toString(), "--prompt", "The cat sat.",
                    "--max-new-tokens", "3", "--min-new-tokens", "3", "--task", "summarisation", "--json");
            assertThat(generate.exitCode()).as(generate.err()).isZero();
            JsonNode one = json.readTree(generate.out().strip());
            assertThat(one.path("outputIds").size()).isEqualTo(3);
            // t5's template prefixes "summarize: "; bart takes the input as it is, wrapped in <s> ... </s>
            String ids = one.path("inputIds").toString();
            if (arch.equals("t5")) {
                assertThat(one.path("inputIds").size()).isGreaterThan("The cat sat.".length() / 2 + 3);
                assertThat(one.path("inputIds").get(one.path("inputIds").size() - 1).asInt()).isEqualTo(1);
            } else {
                assertThat(one.path("inputIds").get(0).asInt()).isZero();
                assertThat(one.path("outputIds").get(0).asInt()).as("forced BOS " + ids).isZero();
            }
        }
    }
}
