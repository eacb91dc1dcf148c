package io.lem.runner.model.gpt2;

import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.engine.LogitsCheck;
import io.lem.runner.engine.SyntheticModels;
import io.lem.runner.engine.SyntheticModels.Gpt2Spec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's GPT-2 logits against an independent float64 reference, on odd-sized synthetic models. */
class Gpt2ReferenceTest {

    private static double check(Gpt2Spec spec, FpPrecision precision, int[] promptLens, int steps) {
        SyntheticModels.Model m = SyntheticModels.gpt2(spec);
        ReferenceGpt2 ref = new ReferenceGpt2(m.config(), m.weights());
        Random r = new Random(7);
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
            System.out.printf("gpt2 %s prefixed %s: max relative error %.3g (batched %.3g, single %.3g)%n", precision,
                    spec.prefixed(), worst, batched, single);
            return worst;
        }
    }

    @Test
    void matchesReference() {
        assertThat(check(Gpt2Spec.small(), FpPrecision.FLOAT32, new int[] {1, 6, 11}, 4)).isLessThan(1e-4);
    }

    @Test
    void unprefixedCheckpointMatchesReference() {
        assertThat(check(Gpt2Spec.small().withPrefixed(false), FpPrecision.FLOAT32, new int[] {4, 2}, 3))
                .isLessThan(1e-4);
    }

    @Test
    void float16RunsAndStaysClose() {
        assertThat(check(Gpt2Spec.small(), FpPrecision.FLOAT16, new int[] {1, 6, 11}, 3)).isLessThan(2e-2);
    }

    @Test
    void buffersAreNotCountedAsParameters() {
        SyntheticModels.Model m = SyntheticModels.gpt2(Gpt2Spec.small());
        try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(FpPrecision.FLOAT32))) {
            long expected = m.weights().names().stream().filter(n -> !n.endsWith(".attn.bias")
                    && !n.endsWith(".attn.masked_bias")).mapToLong(n -> m.weights().get(n).length).sum();
            assertThat(model.info().parameters()).isEqualTo(expected);
            assertThat(model.info().learnedPositions()).isTrue();
        }
    }
}
