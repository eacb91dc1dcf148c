package io.lem.runner.model.safetensors;

import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.weights.DType;
import io.lem.runner.model.weights.WeightStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real small checkpoints of ../shared/models; skipped when that directory is absent. */
class SharedModelsWeightsTest {

    private static Path model(String name) {
        Path dir = Path.of(System.getProperty("lem.shared.dir", "../shared"), "models", name);
        assumeTrue(Files.isDirectory(dir), "no " + dir);
        return dir;
    }

    private static long parameters(WeightStore store) {
        long n = 0;
        for (String name : store.names()) {
            if (!WeightNames.isNonWeightBuffer(name)) {
                n += store.info(name).elementCount();
            }
        }
        return n;
    }

    @Test
    void stories260K() throws IOException {
        ModelFiles files = ModelFiles.local(model("stories260K"));
        try (WeightStore store = files.openWeights()) {
            assertThat(store.names()).hasSize(47).contains("model.embed_tokens.weight", "model.norm.weight",
                    "model.layers.4.mlp.down_proj.weight").doesNotContain("lm_head.weight");
            assertThat(store.info("model.layers.0.self_attn.k_proj.weight").shape()).containsExactly(32, 64);
            assertThat(store.info("model.embed_tokens.weight").dtype()).isEqualTo(DType.F32);
            assertThat(parameters(store)).isEqualTo(260_032);
            float[] norm = store.floats("model.norm.weight");
            assertThat(norm).hasSize(64);
        }
    }

    @Test
    void tinyRandomGpt2() throws IOException {
        try (WeightStore store = ModelFiles.local(model("tiny-random-gpt2")).openWeights()) {
            assertThat(store.names()).hasSize(64);
            assertThat(parameters(store)).isEqualTo(111_968);
            String cAttn = store.names().stream().filter(n -> n.endsWith("h.0.attn.c_attn.weight")).findFirst()
                    .orElseThrow();
            assertThat(store.info(cAttn).shape()).containsExactly(32, 96); // Conv1D: [in, out]
        }
    }
}
