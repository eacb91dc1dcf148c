package io.lem.runner.generate;

import io.lem.api.flops.FlopsCount;
import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.engine.JavaMatVec;
import io.lem.runner.engine.SplitMatVec;
import io.lem.runner.engine.SyntheticModels;
import io.lem.runner.engine.SyntheticModels.Gpt2Spec;
import io.lem.runner.engine.SyntheticModels.LlamaSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GeneratorTest {

    private static LoadedModel llama;
    private static LoadedModel gpt2;

    @BeforeAll
    static void load() {
        SyntheticModels.Model l = SyntheticModels.llama(LlamaSpec.small().withTied(false));
        llama = InferenceEngine.load(l.config(), l.weights(), EngineOptions.cpu(FpPrecision.FLOAT32));
        SyntheticModels.Model g = SyntheticModels.gpt2(Gpt2Spec.small());
        gpt2 = InferenceEngine.load(g.config(), g.weights(), EngineOptions.cpu(FpPrecision.FLOAT32));
    }

    @AfterAll
    static void close() {
        llama.close();
        gpt2.close();
    }

    private static List<int[]> prompts(int n, int vocab, long seed) {
        Random r = new Random(seed);
        List<int[]> out = new ArrayList<>();
        int[] lens = {3, 9, 1, 6, 12, 2, 7, 4, 10, 5, 8};
        for (int i = 0; i < n; i++) {
            int[] p = new int[lens[i % lens.length]];
            for (int j = 0; j < p.length; j++) {
                p[j] = r.nextInt(vocab);
            }
            out.add(p);
        }
        return out;
    }

    private static GenerationConfig.Builder greedy(int maxNew) {
        return GenerationConfig.builder().maxNewTokens(maxNew);
    }

    private static List<List<Integer>> tokens(List<GenerationResult> results) {
        List<List<Integer>> out = new ArrayList<>();
        for (GenerationResult r : results) {
            out.add(Arrays.stream(r.generatedTokens()).boxed().toList());
        }
        return out;
    }

    @Test
    void oneByOneWithSplitProductsEqualsBatched() {
        List<int[]> prompts = prompts(5, llama.info().vocabSize(), 3);
        List<GenerationResult> batched = new Generator(llama, greedy(10).batchSize(5).build()).generate(prompts, null);
        SplitMatVec.force(true);
        JavaMatVec.force(false);
        try {
            List<GenerationResult> split = new Generator(llama, greedy(10).batchSize(1).build())
                    .generate(prompts, null);
            assertThat(tokens(split)).isEqualTo(tokens(batched));
        } finally {
            SplitMatVec.force(null);
            JavaMatVec.force(null);
        }
    }

    @Test
    void oneByOneWithJavaProductsEqualsBatched() {
        List<int[]> prompts = prompts(5, llama.info().vocabSize(), 3);
        List<GenerationResult> batched = new Generator(llama, greedy(10).batchSize(5).build()).generate(prompts, null);
        JavaMatVec.force(true);
        try {
            List<GenerationResult> java = new Generator(llama, greedy(10).batchSize(1).build())
                    .generate(prompts, null);
            assertThat(tokens(java)).isEqualTo(tokens(batched));
        } finally {
            JavaMatVec.force(null);
        }
    }

    @Test
    void batchedGreedyEqualsOneByOneForBothFamilies() {
        for (LoadedModel model : List.of(llama, gpt2)) {
            List<int[]> prompts = prompts(7, model.info().vocabSize(), 3);
            List<GenerationResult> single = new Generator(model, greedy(12).batchSize(1).build())
                    .generate(prompts, null);
            List<GenerationResult> batched = new Generator(model, greedy(12).batchSize(4).build())
                    .generate(prompts, null);
            List<GenerationResult> dynamic = new Generator(model, greedy(12).batchSize(3).dynamicBatching(true)
                    .build()).generate(prompts, null);
            assertThat(tokens(batched)).as(model.info().family()).isEqualTo(tokens(single));
            assertThat(tokens(dynamic)).as(model.info().family()).isEqualTo(tokens(single));
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(dynamic.get(i).promptIndex()).isEqualTo(i);
                assertThat(dynamic.get(i).promptTokens()).isEqualTo(prompts.get(i));
                assertThat(single.get(i).generatedTokens()).hasSize(12);
                assertThat(single.get(i).finishReason()).isEqualTo(FinishReason.LENGTH);
            }
        }
    }

    @Test
    void eosEndsOnlyItsSequenceAndMinTokensSuppressesIt() {
        List<int[]> prompts = prompts(4, 97, 11);
        List<GenerationResult> free = new Generator(llama, greedy(10).batchSize(4).build()).generate(prompts, null);
        // pick as EOS the 3rd token generated for prompt 1
        int eos = free.get(1).generatedTokens()[2];
        int firstAt = -1;
        for (int i = 0; i < 3; i++) {
            if (free.get(1).generatedTokens()[i] == eos) {
                firstAt = i;
                break;
            }
        }
        List<GenerationResult> stopped = new Generator(llama, greedy(10).batchSize(4).eosTokenId(eos).build())
                .generate(prompts, null);
        assertThat(stopped.get(1).finishReason()).isEqualTo(FinishReason.EOS);
        assertThat(stopped.get(1).generatedTokens())
                .isEqualTo(Arrays.copyOf(free.get(1).generatedTokens(), firstAt + 1));
        for (int i = 0; i < prompts.size(); i++) {
            int[] f = free.get(i).generatedTokens();
            int[] s = stopped.get(i).generatedTokens();
            // every sequence equals the free run up to (and including) its first EOS
            int cut = f.length;
            for (int j = 0; j < f.length; j++) {
                if (f[j] == eos) {
                    cut = j + 1;
                    break;
                }
            }
            assertThat(s).isEqualTo(Arrays.copyOf(f, cut));
            assertThat(stopped.get(i).finishReason()).isEqualTo(cut < f.length || f[cut - 1] == eos
                    ? FinishReason.EOS : FinishReason.LENGTH);
        }
        List<GenerationResult> suppressed = new Generator(llama, greedy(10).batchSize(4).eosTokenId(eos)
                .minNewTokens(8).build()).generate(prompts, null);
        for (GenerationResult r : suppressed) {
            int[] g = r.generatedTokens();
            assertThat(g.length).isGreaterThanOrEqualTo(8);
            for (int j = 0; j < 8; j++) {
                assertThat(g[j]).isNotEqualTo(eos);
            }
        }
    }

    @Test
    void truncationKeepsTheLastTokens() {
        int[] prompt = {5, 6, 7, 8, 9, 10, 11};
        List<GenerationResult> cut = new Generator(llama, greedy(5).maxInputTokens(3).build())
                .generate(List.of(prompt), null);
        List<GenerationResult> tail = new Generator(llama, greedy(5).build())
                .generate(List.<int[]>of(new int[] {9, 10, 11}), null);
        assertThat(cut.get(0).promptTokens()).containsExactly(9, 10, 11);
        assertThat(cut.get(0).truncatedTokens()).isEqualTo(4);
        assertThat(cut.get(0).generatedTokens()).isEqualTo(tail.get(0).generatedTokens());
    }

    @Test
    void samplingIsReproducibleAndIndependentOfBatching() {
        List<int[]> prompts = prompts(5, 97, 5);
        GenerationConfig.Builder sampling = greedy(10).doSample(true).temperature(1.3).topK(20).topP(0.9).seed(1234);
        List<GenerationResult> a = new Generator(gpt2, sampling.batchSize(5).build()).generate(prompts, null);
        List<GenerationResult> b = new Generator(gpt2, sampling.batchSize(5).build()).generate(prompts, null);
        List<GenerationResult> c = new Generator(gpt2, sampling.batchSize(2).dynamicBatching(true).build())
                .generate(prompts, null);
        List<GenerationResult> other = new Generator(gpt2, sampling.seed(99).batchSize(5).build())
                .generate(prompts, null);
        List<GenerationResult> greedy = new Generator(gpt2, greedy(10).batchSize(5).build()).generate(prompts, null);
        assertThat(tokens(a)).isEqualTo(tokens(b)).isEqualTo(tokens(c));
        assertThat(tokens(a)).isNotEqualTo(tokens(other));
        assertThat(tokens(a)).isNotEqualTo(tokens(greedy));
    }

    @Test
    void listenerSeesEveryStageWithConsistentCounts() {
        List<int[]> prompts = prompts(5, 97, 8);
        List<Object> events = new ArrayList<>();
        GenerationListener listener = new GenerationListener() {
            @Override
            public void onBatchStart(BatchStart e) {
                events.add(e);
            }

            @Override
            public void onPrefillDone(PrefillDone e) {
                events.add(e);
            }

            @Override
            public void onDecodeStep(DecodeStep e) {
                events.add(e);
            }

            @Override
            public void onBatchEnd(BatchEnd e) {
                events.add(e);
            }
        };
        List<GenerationResult> results = new Generator(llama, greedy(6).batchSize(2).build())
                .generate(prompts, listener);
        assertThat(events.stream().filter(e -> e instanceof GenerationListener.BatchStart).count()).isEqualTo(3);
        long produced = 0;
        int stepsInBatch0 = 0;
        for (Object e : events) {
            if (e instanceof GenerationListener.PrefillDone p) {
                produced += p.tokensProduced();
                assertThat(p.timeToFirstTokenNanos()).isPositive();
            } else if (e instanceof GenerationListener.DecodeStep d) {
                produced += d.tokensProduced();
                assertThat(d.stepNanos()).isPositive();
                if (d.batchIndex() == 0) {
                    stepsInBatch0++;
                    assertThat(d.step()).isEqualTo(stepsInBatch0);
                }
            }
        }
        assertThat(stepsInBatch0).isEqualTo(5);
        long generated = results.stream().mapToLong(GenerationResult::outputTokenCount).sum();
        assertThat(produced).isEqualTo(generated).isEqualTo(5 * 6);
        GenerationListener.BatchStart first = (GenerationListener.BatchStart) events.get(0);
        assertThat(first.promptIndices()).containsExactly(0, 1);
        assertThat(first.inputTokens()).isEqualTo(3 + 9);
        assertThat(first.paddedInputTokens()).isEqualTo(2 * 9);
        GenerationListener.BatchEnd end = (GenerationListener.BatchEnd) events.stream()
                .filter(e -> e instanceof GenerationListener.BatchEnd).findFirst().orElseThrow();
        assertThat(end.inputTokens()).containsExactly(3, 9);
        assertThat(end.outputTokens()).containsExactly(6, 6);
        assertThat(end.finishReasons()).containsExactly(FinishReason.LENGTH, FinishReason.LENGTH);
    }

    @Test
    void countedFlopsFollowTheExecutedShapes() {
        // llama small: hidden 24, heads 3 × 8, 1 KV head, intermediate 40, 2 layers, vocab 97
        List<int[]> prompts = List.of(new int[] {1, 2, 3}, new int[] {4, 5, 6, 7, 8});
        List<FlopsCount> counts = new ArrayList<>();
        new Generator(llama, greedy(4).batchSize(2).build()).generate(prompts, new GenerationListener() {
            @Override
            public void onBatchEnd(BatchEnd e) {
                counts.add(e.countedFlops());
            }
        });
        long b = 2;
        long layers = 2;
        long hidden = 24;
        long q = 24;
        long kv = 8;
        long inter = 40;
        long vocab = 97;
        long positions = 5 + 3; // prefill over 5 padded columns, then 3 decode steps
        long linear = layers * b * positions * (hidden * (q + 2 * kv) + q * hidden);
        long mlp = layers * b * positions * 3 * hidden * inter;
        long pairs = 5 * 5 + 6 + 7 + 8; // query × key columns actually multiplied
        long scores = layers * 2 * b * 3 * pairs * 8;
        long head = 4 * b * hidden * vocab;
        FlopsCount c = counts.get(0);
        assertThat(c.method()).isEqualTo("counted");
        assertThat(c.macs()).isEqualTo((double) (linear + mlp + scores + head));
        assertThat(c.flops()).isEqualTo(2.0 * c.macs());
        assertThat(c.breakdown()).containsEntry("lm_head", 2.0 * head).containsEntry("attention_scores", 2.0 * scores);
    }

    @Test
    void decoderTurnsTokensIntoTextWithoutTrailingEos() {
        List<int[]> prompts = prompts(2, 97, 21);
        List<GenerationResult> free = new Generator(llama, greedy(6).build()).generate(prompts, null);
        int eos = free.get(0).generatedTokens()[1];
        TokenDecoder decoder = ids -> Arrays.toString(ids);
        List<GenerationResult> r = new Generator(llama, greedy(6).eosTokenId(eos).build(), decoder)
                .generate(prompts.subList(0, 1), null);
        int[] g = r.get(0).generatedTokens();
        assertThat(g[g.length - 1]).isEqualTo(eos);
        assertThat(r.get(0).text()).isEqualTo(Arrays.toString(Arrays.copyOf(g, g.length - 1)));
    }

    @Test
    void invalidPromptsAreRejected() {
        Generator g = new Generator(llama, greedy(3).build());
        assertThatThrownBy(() -> g.generate(List.of(new int[0]), null)).hasMessageContaining("prompt 0");
        assertThatThrownBy(() -> g.generate(List.<int[]>of(new int[] {97}), null)).hasMessageContaining("97");
        // GPT-2's learned positions: 64 in the synthetic model
        assertThatThrownBy(() -> new Generator(gpt2, greedy(10).build()).generate(List.of(new int[60]), null))
                .isInstanceOf(EngineException.class).hasMessageContaining("64 positions");
    }
}
