package io.lem.runner.model.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HubSettingsTest {

    @TempDir
    Path home;

    @Test
    void defaultsFollowHuggingfaceHub() {
        HubSettings s = HubSettings.fromEnv(Map.of(), home);
        assertThat(s.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
        assertThat(s.cacheDir()).isEqualTo(home.resolve(".cache/huggingface/hub"));
        assertThat(s.token()).isNull();
        assertThat(s.offline()).isFalse();
        assertThat(s.metadataTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.downloadTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void cacheDirectoryPrecedence() {
        assertThat(HubSettings.fromEnv(Map.of("XDG_CACHE_HOME", "/xdg"), home).cacheDir())
                .isEqualTo(Path.of("/xdg/huggingface/hub"));
        assertThat(HubSettings.fromEnv(Map.of("XDG_CACHE_HOME", "/xdg", "HF_HOME", "/hf"), home).cacheDir())
                .isEqualTo(Path.of("/hf/hub"));
        assertThat(HubSettings.fromEnv(Map.of("HF_HOME", "/hf", "HF_HUB_CACHE", "/cache"), home).cacheDir())
                .isEqualTo(Path.of("/cache"));
    }

    @Test
    void endpointTokenOfflineAndTimeouts() {
        HubSettings s = HubSettings.fromEnv(Map.of("HF_ENDPOINT", "http://127.0.0.1:8080/", "HF_TOKEN", " hf_abc ",
                "HF_HUB_OFFLINE", "1", "HF_HUB_ETAG_TIMEOUT", "2.5", "HF_HUB_DOWNLOAD_TIMEOUT", "60"), home);
        assertThat(s.endpoint()).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(s.token()).isEqualTo("hf_abc");
        assertThat(s.offline()).isTrue();
        assertThat(s.metadataTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(s.downloadTimeout()).isEqualTo(Duration.ofSeconds(60));
        for (String on : new String[] {"1", "true", "TRUE", "yes", "On"}) {
            assertThat(HubSettings.fromEnv(Map.of("HF_HUB_OFFLINE", on), home).offline()).as(on).isTrue();
        }
        for (String off : new String[] {"0", "false", "", "no"}) {
            assertThat(HubSettings.fromEnv(Map.of("HF_HUB_OFFLINE", off), home).offline()).as(off).isFalse();
        }
        assertThat(HubSettings.fromEnv(Map.of("TRANSFORMERS_OFFLINE", "1"), home).offline()).isTrue();
        assertThatThrownBy(() -> HubSettings.fromEnv(Map.of("HF_HUB_ETAG_TIMEOUT", "soon"), home))
                .hasMessageContaining("HF_HUB_ETAG_TIMEOUT must be a positive number of seconds");
        assertThatThrownBy(() -> HubSettings.fromEnv(Map.of("HF_ENDPOINT", "ftp://x"), home))
                .hasMessageContaining("must be an http(s) URL");
    }

    @Test
    void tokenFromTheLoginFileWhenTheEnvironmentHasNone() throws IOException {
        Path hf = Files.createDirectories(home.resolve("hf"));
        Files.writeString(hf.resolve("token"), "hf_from_file\n");
        assertThat(HubSettings.fromEnv(Map.of("HF_HOME", hf.toString()), home).token()).isEqualTo("hf_from_file");
        assertThat(HubSettings.fromEnv(Map.of("HF_HOME", hf.toString(), "HF_TOKEN", "hf_env"), home).token())
                .isEqualTo("hf_env");
        Path other = home.resolve("elsewhere");
        Files.writeString(other, "hf_path");
        assertThat(HubSettings.fromEnv(Map.of("HF_TOKEN_PATH", other.toString()), home).token())
                .isEqualTo("hf_path");
        assertThat(HubSettings.fromEnv(Map.of("HUGGING_FACE_HUB_TOKEN", "hf_legacy"), home).token())
                .isEqualTo("hf_legacy");
    }

    @Test
    void theTokenNeverShows() {
        HubSettings s = HubSettings.fromEnv(Map.of("HF_TOKEN", "hf_very_secret"), home);
        assertThat(s.toString()).doesNotContain("hf_very_secret").contains("token=***redacted***");
        assertThat(s.withOffline(true).toString()).doesNotContain("hf_very_secret");
        assertThat(HubSettings.fromEnv(Map.of(), home).toString()).contains("token=none");
    }

    @Test
    void consoleProgressRewritesOneLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        p.started("org/m", "model.safetensors", 2_000_000, 0);
        p.progressed("org/m", "model.safetensors", 1_000_000);
        p.finished("org/m", "model.safetensors", 2_000_000);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("\rorg/m model.safetensors   0% 0.0 kB/2.0 MB").endsWith("\n")
                .contains("\rorg/m model.safetensors 100% 2.0 MB/2.0 MB");
        assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
    }
}
