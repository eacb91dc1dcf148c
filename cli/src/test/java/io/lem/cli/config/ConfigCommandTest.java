package io.lem.cli.config;

import io.lem.cli.CliRun;
import io.lem.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigCommandTest {

    private static final Path CONFIGS = Path.of(System.getProperty("user.dir")).resolveSibling("configs");

    @TempDir
    Path dir;

    @Test
    void everyShippedConfigValidates() throws IOException {
        String[] files;
        try (Stream<Path> list = Files.list(CONFIGS)) {
            files = list.filter(p -> p.toString().endsWith(".yaml")).map(Path::toString).sorted()
                    .toArray(String[]::new);
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        String[] args = Stream.concat(Stream.of("config", "validate"), Stream.of(files)).toArray(String[]::new);
        CliRun run = CliRun.of(args);
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines()).hasSize(files.length).allMatch(line -> line.endsWith(": valid"));
    }

    @Test
    void invalidFilesPrintOneLinePerProblemAndExitTwo() throws IOException {
        Path good = write("good.yaml", "config_name: a\nmodel_name: gpt2\n");
        Path bad = write("bad.yaml", """
                config_name: b
                model_name: gpt2
                max_ouput_tokens: 10
                decoder_config:
                  top_p: 1.5
                """);
        CliRun run = CliRun.of("config", "validate", good.toString(), bad.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.out()).isEqualTo(good + ": valid" + System.lineSeparator());
        assertThat(run.err().lines()).containsExactly(
                bad + ":3: max_ouput_tokens: unknown key; did you mean 'max_output_tokens'?",
                bad + ":5: decoder_config.top_p: must be in (0, 1], was 1.5",
                "1 of 2 files invalid");
    }

    @Test
    void missingFileIsOneLine() {
        CliRun run = CliRun.of("config", "validate", dir.resolve("nope.yaml").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err().lines()).hasSize(1).first().asString().contains("nope.yaml");
    }

    @Test
    void showPrintsTheResolvedConfigWithSecretsRedacted() throws IOException {
        write("base.yaml", "max_output_tokens: 64\nbatching_options:\n  batch_size: 8\n");
        Path child = write("child.yaml", """
                _extends: base.yaml
                config_name: c
                model_name: gpt2
                hf_token: hf_supersecret
                batching_options:
                  dynamic_batching: true
                """);
        CliRun yaml = CliRun.of("config", "show", child.toString());
        assertThat(yaml.exitCode()).isZero();
        assertThat(yaml.out()).contains("config_name: c", "max_output_tokens: 64", "batch_size: 8",
                "dynamic_batching: true", "fp_precision: float32").doesNotContain("hf_supersecret", "_extends");

        CliRun json = CliRun.of("config", "show", "--json", child.toString());
        assertThat(json.exitCode()).isZero();
        assertThat(json.out()).contains("\"config_name\" : \"c\"", "\"max_output_tokens\" : 64")
                .doesNotContain("hf_supersecret");
    }

    @Test
    void showOfAnInvalidFileListsItsProblems() throws IOException {
        Path bad = write("bad.yaml", "config_name: b\n");
        CliRun run = CliRun.of("config", "show", bad.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err()).contains("model_name").startsWith(bad.toString());
        assertThat(run.out()).isEmpty();
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
