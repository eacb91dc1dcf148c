package io.lem.cli.plugins;

import io.lem.cli.CliRun;
import io.lem.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PluginsCommandTest {

    @TempDir
    Path dir;

    @Test
    void listShowsEveryBuiltInWithItsStatusAndSkipsABrokenJarWithItsReason() throws IOException {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(plugins.resolve("broken.jar"), "this is not a zip");
        CliRun run = CliRun.of("plugins", "list", "--plugins-dir", plugins.toString(),
                "--plugin-setting", "nvml.library=" + dir.resolve("no-such-libnvidia-ml.so"),
                "--plugin-setting", "rapl.root=" + dir.resolve("no-powercap"));
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("NAME", "STATUS", "cpu-model", "ram-model", "carbon", "flops", "built-in")
                .containsPattern("nvml\\s+\\S+\\s+energy\\s+\\d+\\s+built-in\\s+unavailable: .*nvml.library")
                .containsPattern("rapl\\s+\\S+\\s+energy\\s+\\d+\\s+built-in\\s+unavailable: no RAPL domains")
                .contains("skipped " + plugins.resolve("broken.jar").toAbsolutePath() + ": not a jar");
    }

    @Test
    void listAsJsonHasOneObjectPerPlugin() {
        CliRun run = CliRun.of("plugins", "list", "--json");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("\"plugins\"", "\"name\" : \"ram-model\"", "\"kind\" : \"carbon\"",
                "\"skipped\"");
    }

    @Test
    void probeReadsTheModelledSourcesAndShowsCarbonAndFlops() {
        CliRun run = CliRun.of("plugins", "probe", "--seconds", "0.3", "--energy-plugins", "cpu-model,ram-model",
                "--region", "FR");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Energy over", "ram-model:", "model", "carbon (carbon): FR",
                "flops (flops): methods").containsPattern("cpu:\\S+:package-0\\s+cpu-model");
    }

    @Test
    void unknownPluginNameIsOneLineListingTheKnownOnes() {
        CliRun run = CliRun.of("plugins", "probe", "--seconds", "0.1", "--energy-plugins", "nvmll");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err()).startsWith("lem: unknown energy plugin 'nvmll'; known: ").contains("nvml", "rapl");
    }

    @Test
    void badSecondsAreRefused() {
        CliRun run = CliRun.of("plugins", "probe", "--seconds", "0");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err()).isEqualTo("lem: --seconds must be in (0, 3600], was 0.0" + System.lineSeparator());
    }
}
