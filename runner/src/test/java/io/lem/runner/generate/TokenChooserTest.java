package io.lem.runner.generate;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class TokenChooserTest {

    private static TokenChooser chooser(GenerationConfig.Builder b) {
        return new TokenChooser(b.build());
    }

    private static Map<Integer, Integer> histogram(TokenChooser c, float[] logits, int draws) {
        SplittableRandom r = new SplittableRandom(1);
        Map<Integer, Integer> h = new HashMap<>();
        for (int i = 0; i < draws; i++) {
            h.merge(c.choose(logits.clone(), 0, logits.length, 10, r), 1, Integer::sum);
        }
        return h;
    }

    @Test
    void greedyTakesTheFirstMaximum() {
        TokenChooser c = chooser(GenerationConfig.builder());
        assertThat(c.choose(new float[] {1, 5, 5, 2}, 0, 4, 0, null)).isEqualTo(1);
        assertThat(c.choose(new float[] {9, 9, 1, 5, 0, 2}, 3, 3, 0, null)).isEqualTo(0);
    }

    @Test
    void eosIsSuppressedUntilMinTokens() {
        TokenChooser c = chooser(GenerationConfig.builder().eosTokenIds(List.of(2, 3)).minNewTokens(2));
        assertThat(c.choose(new float[] {0, 1, 9, 8}, 0, 4, 1, null)).isEqualTo(1);
        assertThat(c.choose(new float[] {0, 1, 9, 8}, 0, 4, 2, null)).isEqualTo(2);
    }

    @Test
    void topKLimitsTheCandidates() {
        float[] logits = {3, 2.9f, 2.8f, 0, 0, 0, 0, 0};
        Map<Integer, Integer> h = histogram(chooser(GenerationConfig.builder().doSample(true).topK(2)), logits, 2000);
        assertThat(h.keySet()).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void topPKeepsTheSmallestSetReachingTheMass() {
        // probabilities ~ 0.5, 0.3, 0.2 (and ~0 for the rest)
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2), -50, -50};
        Map<Integer, Integer> h = histogram(chooser(GenerationConfig.builder().doSample(true).topP(0.75)), logits,
                4000);
        assertThat(h.keySet()).containsExactlyInAnyOrder(0, 1);
        assertThat(h.get(0) / 4000.0).isBetween(0.55, 0.70); // 0.5 / 0.8
        Map<Integer, Integer> all = histogram(chooser(GenerationConfig.builder().doSample(true)), logits, 4000);
        assertThat(all.get(2) / 4000.0).isBetween(0.15, 0.25);
    }

    @Test
    void temperatureSharpens() {
        float[] logits = {1, 0};
        Map<Integer, Integer> cold = histogram(chooser(GenerationConfig.builder().doSample(true).temperature(0.1)),
                logits, 1000);
        Map<Integer, Integer> hot = histogram(chooser(GenerationConfig.builder().doSample(true).temperature(10)),
                logits, 1000);
        assertThat(cold.getOrDefault(1, 0)).isLessThan(5);
        assertThat(hot.get(1)).isGreaterThan(400);
    }

    @Test
    void nucleusOfAFlatDistributionStillWorks() {
        double[] p = new double[1000];
        java.util.Arrays.fill(p, 0.001);
        assertThat(TokenChooser.nucleus(p, 0.5)).hasSize(500);
        assertThat(TokenChooser.nucleus(new double[] {0.1, 0.9}, 0.5)).containsExactly(1);
    }
}
