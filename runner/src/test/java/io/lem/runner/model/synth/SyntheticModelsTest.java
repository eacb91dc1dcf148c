package io.lem.runner.model.synth;

import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.ModelLocator;
import io.lem.runner.model.hub.HubSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyntheticModelsTest {

    @TempDir
    Path home;

    @Test
    void generatedOnFirstUseThenReusedAndConcurrentCallersAgree() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Path>> dirs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Callable<Path> ensure = () -> SyntheticModels.ensure("lem-synthetic/tiny-llama", home.resolve("models"));
                dirs.add(pool.submit(ensure));
            }
            Path first = dirs.get(0).get();
            for (Future<Path> dir : dirs) {
                assertThat(dir.get()).isEqualTo(first);
            }
            assertThat(first.resolve("config.json")).exists();
            assertThat(first.resolve("tokenizer.json")).exists();
            long modified = Files.getLastModifiedTime(first.resolve("model.safetensors")).toMillis();
            assertThat(SyntheticModels.ensure("lem-synthetic/tiny-llama", home.resolve("models"))).isEqualTo(first);
            assertThat(Files.getLastModifiedTime(first.resolve("model.safetensors")).toMillis()).isEqualTo(modified);
            try (var leftovers = Files.list(home.resolve("models").resolve("lem-synthetic"))) {
                assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactly("tiny-llama");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void locatorServesSyntheticNamesWithoutTheNetwork() throws Exception {
        HubSettings offline = HubSettings.fromEnv(Map.of("HF_HUB_OFFLINE", "1"), home);
        ModelFiles files = ModelLocator.locate("lem-synthetic/tiny-gpt2", null, offline, home);
        assertThat(files.modelType()).isEqualTo("gpt2");
        assertThat(files.fromHub()).isFalse();
    }

    @Test
    void unknownSyntheticNameListsTheKnownOnes() {
        assertThatThrownBy(() -> SyntheticModels.ensure("lem-synthetic/huge", home))
                .hasMessage("unknown synthetic model 'lem-synthetic/huge'; known: lem-synthetic/tiny-llama, "
                        + "lem-synthetic/tiny-gpt2, lem-synthetic/tiny-t5, lem-synthetic/tiny-bart, "
                        + "lem-synthetic/smollm2-135m");
    }
}
