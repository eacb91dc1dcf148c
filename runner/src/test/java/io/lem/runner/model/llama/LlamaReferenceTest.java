package io.lem.runner.model.llama;

import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.JavaMatVec;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.engine.LogitsCheck;
import io.lem.runner.engine.SplitMatVec;
import io.lem.runner.engine.SyntheticModels;
import io.lem.runner.engine.SyntheticModels.LlamaSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's Llama-family logits against an independent float64 reference, on odd-sized synthetic models. */
class LlamaReferenceTest {

    private static final double TOLERANCE = 1e-4;

    private static double check(LlamaSpec spec, FpPrecision precision, int[] promptLens, int steps) {
        SyntheticModels.Model m = SyntheticModels.llama(spec);
        ReferenceLlama ref = new ReferenceLlama(m.config(), m.weights());
        Random r = new Random(42);
        List<int[]> seqs = new ArrayList<>();
        for (int len : promptLens) {
            seqs.add(LogitsCheck.randomTokens(r, len + steps, spec.vocab()));
        }
        try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(precision))) {
            double batched = LogitsCheck.maxRelativeError(model.model(), ref::logits, seqs, promptLens);
            double single = 0;
            for (int i = 0; i < seqs.size(); i++) {
                single = Math.max(single, LogitsCheck.maxRelativeError(model.model(), ref::logits,
                        List.of(seqs.get(i)), new int[] {promptLens[i]}));
            }
            double worst = Math.max(batched, single);
            System.out.printf("llama %s %s heads %d/%d tied %s qkvBias %s: max relative error %.3g (batched %.3g, "
                    + "single %.3g)%n", spec.modelType(), precision, spec.heads(), spec.kvHeads(), spec.tied(),
                    spec.qkvBias(), worst, batched, single);
            return worst;
        }
    }

    @Test
    void gqaTiedHeadMatchesReference() {
        // hidden 24, 3 heads of 8, 1 KV head, intermediate 40, vocab 97
        assertThat(check(LlamaSpec.small(), FpPrecision.FLOAT32, new int[] {1, 5, 9}, 4)).isLessThan(TOLERANCE);
    }

    @Test
    void untiedHeadWithQkvBiasQwen2MatchesReference() {
        LlamaSpec spec = LlamaSpec.small().withType("qwen2", true).withTied(false).withHeads(6, 2, 4);
        assertThat(check(spec, FpPrecision.FLOAT32, new int[] {7, 2, 3, 7}, 3)).isLessThan(TOLERANCE);
    }

    @Test
    void explicitHeadDimAndMultiHeadAttentionMatchReference() {
        LlamaSpec spec = LlamaSpec.small().withHeads(4, 4, 10).withTied(false);
        assertThat(check(spec, FpPrecision.FLOAT32, new int[] {6, 3}, 3)).isLessThan(TOLERANCE);
    }

    @Test
    void llama3RopeScalingMatchesReference() {
        Map<String, Object> scaling = Map.of("rope_type", "llama3", "factor", 8.0, "low_freq_factor", 1.0,
                "high_freq_factor", 4.0, "original_max_position_embeddings", 16);
        LlamaSpec spec = LlamaSpec.small().withHeads(2, 1, 16).withRopeScaling(scaling);
        assertThat(check(spec, FpPrecision.FLOAT32, new int[] {20, 11}, 3)).isLessThan(TOLERANCE);
    }

    @Test
    void mistralSlidingWindowMatchesReference() {
        LlamaSpec spec = LlamaSpec.small().withType("mistral", false).withSlidingWindow(4);
        assertThat(check(spec, FpPrecision.FLOAT32, new int[] {9, 3}, 4)).isLessThan(TOLERANCE);
    }

    @Test
    void rowSplitSingleTokenProductsMatchReference() {
        // batch-1 decode with every projection and the LM head split over two threads (SplitMatVec), biases included;
        // the Java products (which take precedence where they apply) off
        SplitMatVec.force(true);
        JavaMatVec.force(false);
        try {
            assertThat(check(LlamaSpec.small().withHeads(6, 2, 8).withType("qwen2", true).withTied(false),
                    FpPrecision.FLOAT32, new int[] {5, 3}, 4)).isLessThan(TOLERANCE);
            assertThat(check(LlamaSpec.small(), FpPrecision.FLOAT32, new int[] {4}, 6)).isLessThan(TOLERANCE);
        } finally {
            SplitMatVec.force(null);
            JavaMatVec.force(null);
        }
    }

    @Test
    void javaSingleTokenProductsMatchReference() {
        // batch-1 decode on the JVM (JavaMatVec), split over two threads; sliding window and llama3 RoPE included
        JavaMatVec.force(true);
        try {
            assertThat(check(LlamaSpec.small(), FpPrecision.FLOAT32, new int[] {4}, 6)).isLessThan(TOLERANCE);
            assertThat(check(LlamaSpec.small().withHeads(6, 2, 8).withTied(false), FpPrecision.FLOAT32,
                    new int[] {5, 3}, 4)).isLessThan(TOLERANCE);
            assertThat(check(LlamaSpec.small().withType("mistral", false).withSlidingWindow(4), FpPrecision.FLOAT32,
                    new int[] {3}, 6)).isLessThan(TOLERANCE);
        } finally {
            JavaMatVec.force(null);
        }
    }

    @Test
    void float16RunsAndStaysClose() {
        assertThat(check(LlamaSpec.small(), FpPrecision.FLOAT16, new int[] {1, 5, 9}, 3)).isLessThan(2e-2);
    }

    @Test
    void unsupportedRopeScalingIsRefusedAtLoad() {
        LlamaSpec spec = LlamaSpec.small().withRopeScaling(Map.of("rope_type", "yarn", "factor", 4.0));
        SyntheticModels.Model m = SyntheticModels.llama(spec);
        assertThatThrownBy(() -> InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(FpPrecision.FLOAT32)))
                .isInstanceOf(EngineException.class).hasMessageContaining("yarn").hasMessageContaining("llama3");
    }

    @Test
    void missingTensorIsNamed() {
        SyntheticModels.Model m = SyntheticModels.llama(LlamaSpec.small());
        m.weights().remove("model.layers.1.mlp.up_proj.weight");
        assertThatThrownBy(() -> InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(FpPrecision.FLOAT32)))
                .isInstanceOf(EngineException.class).hasMessageContaining("model.layers.1.mlp.up_proj.weight");
    }

    @Test
    void reportsWhatItLoaded() {
        SyntheticModels.Model m = SyntheticModels.llama(LlamaSpec.small());
        try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(FpPrecision.FLOAT32))) {
            assertThat(model.info().family()).isEqualTo("llama");
            assertThat(model.info().numKvHeads()).isEqualTo(1);
            assertThat(model.info().tiedEmbeddings()).isTrue();
            long expected = m.weights().names().stream().mapToLong(n -> m.weights().get(n).length).sum();
            assertThat(model.info().parameters()).isEqualTo(expected);
        }
    }
}
