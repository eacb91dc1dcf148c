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

    /** What topKIds returned before it had a heap of its own: the order draws depend on, seed for seed. */
    private static int[] boxedTopK(float[] logits, int offset, int vocab, int k) {
        java.util.PriorityQueue<Integer> heap = new java.util.PriorityQueue<>(k + 1, (a, b) -> {
            int c = Float.compare(logits[offset + a], logits[offset + b]);
            return c != 0 ? c : Integer.compare(b, a);
        });
        for (int i = 0; i < vocab; i++) {
            if (heap.size() < k) {
                heap.add(i);
            } else if (logits[offset + i] > logits[offset + heap.peek()]) {
                heap.poll();
                heap.add(i);
            }
        }
        int[] out = new int[heap.size()];
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = heap.poll();
        }
        return out;
    }

    @Test
    void topKIdsAreTheLargestLargestFirstWithTiesByLowerIdExactlyAsTheBoxedHeapGaveThem() {
        SplittableRandom r = new SplittableRandom(42);
        for (int trial = 0; trial < 500; trial++) {
            int vocab = 1 + r.nextInt(300);
            int rows = 1 + r.nextInt(3);
            float[] logits = new float[vocab * rows];
            for (int i = 0; i < logits.length; i++) {
                // few distinct values, so ties are common; now and then a suppressed (-inf) entry
                logits[i] = r.nextInt(20) == 0 ? Float.NEGATIVE_INFINITY : r.nextInt(12) * 0.5f - 3f;
            }
            int row = r.nextInt(rows);
            int k = 1 + r.nextInt(vocab + 5);
            int[] got = TokenChooser.topKIds(logits, row * vocab, vocab, k);
            assertThat(got).as("trial %d: vocab %d, k %d", trial, vocab, k)
                    .containsExactly(boxedTopK(logits, row * vocab, vocab, k));
        }
        assertThat(TokenChooser.topKIds(new float[] {1, 3, 3, 2, 3}, 0, 5, 3)).containsExactly(1, 2, 4);
    }
}
