package io.lem.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.cli.CliRun;
import io.lem.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class BenchGenerateCommandTest {

    @TempDir
    Path dir;

    @Test
    void benchmarksASynthesizedModelAndReportsUtilisationPerBatch() throws Exception {
        Path model = dir.resolve("tiny");
        CliRun synth = CliRun.of("model", "synth", "--arch", "llama", "--layers", "1", "--out", model.toString());
        assertThat(synth.exitCode()).as(synth.err()).isZero();

        CliRun run = CliRun.of("bench", "generate", "--model", model.toString(), "--batch-sizes", "1,2",
                "--prompt-tokens", "4", "--new-tokens", "3", "--repeats", "1", "--peak-matmul-sizes", "32",
                "--peak-read-mib", "1", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.path("batches")).hasSize(2);
        JsonNode b2 = json.path("batches").get(1);
        assertThat(b2.path("batch_size").asInt()).isEqualTo(2);
        assertThat(b2.path("decode_steps").asInt()).isEqualTo(2);
        double peak = json.path("peaks").path("matmul_flops_per_second").asDouble();
        assertThat(b2.path("decode_mfu").asDouble())
                .isCloseTo(b2.path("decode_flops").asDouble() / b2.path("decode_seconds").asDouble() / peak,
                        org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(json.path("peaks").path("read_array_bytes").asLong()).isEqualTo(1 << 20);
        assertThat(json.path("targets").get(0).asText()).contains("batch 32: not measured");
        assertThat(run.err()).contains("lem: peaks: matmul ", "lem: batch 2: ");
    }

    @Test
    void badFlagsAreOneLineNamingTheFlag() {
        CliRun none = CliRun.of("bench", "generate");
        assertThat(none.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(none.err()).isEqualTo("lem: give exactly one of --model DIR|ID and --synthetic NAME"
                + System.lineSeparator());

        CliRun batches = CliRun.of("bench", "generate", "--synthetic", "tiny-llama", "--batch-sizes", "1,x");
        assertThat(batches.err()).isEqualTo("lem: --batch-sizes must be positive integers separated by commas, "
                + "was '1,x'" + System.lineSeparator());

        CliRun tokens = CliRun.of("bench", "generate", "--synthetic", "tiny-llama", "--new-tokens", "1");
        assertThat(tokens.err()).contains("--new-tokens must be >= 2").hasLineCount(1);

        CliRun synthetic = CliRun.of("bench", "generate", "--synthetic", "llama-70b");
        assertThat(synthetic.err()).isEqualTo("lem: --synthetic must be one of tiny-llama, tiny-gpt2, smollm2-135m, "
                + "was 'llama-70b'" + System.lineSeparator());

        CliRun t5 = CliRun.of("bench", "generate", "--synthetic", "tiny-t5");
        assertThat(t5.err()).as("encoder-decoders are not in the MBU formula").startsWith("lem: --synthetic must be one of");

        CliRun precision = CliRun.of("bench", "generate", "--synthetic", "tiny-llama", "--precision", "bfloat16");
        assertThat(precision.err()).contains("--precision must be float32 or float16, was 'bfloat16'");
    }
}
