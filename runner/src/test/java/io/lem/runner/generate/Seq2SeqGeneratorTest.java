package io.lem.runner.generate;

import io.lem.api.flops.FlopsCount;
import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.engine.SyntheticModels;
import io.lem.runner.engine.SyntheticSeq2Seq;
import io.lem.runner.engine.SyntheticSeq2Seq.BartSpec;
import io.lem.runner.engine.SyntheticSeq2Seq.T5Spec;
import io.lem.runner.model.bart.ReferenceBart;
import io.lem.runner.model.t5.ReferenceT5;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Generation with encoder-decoder models: batching, masks, forced BOS, limits, listener events, counted FLOPs. */
class Seq2SeqGeneratorTest {

    private static SyntheticModels.Model t5Synth;
    private static SyntheticModels.Model flanSynth;
    private static SyntheticModels.Model bartSynth;
    private static LoadedModel t5;
    private static LoadedModel flan;
    private static LoadedModel bart;

    @BeforeAll
    static void load() {
        t5Synth = SyntheticSeq2Seq.t5(T5Spec.v1());
        flanSynth = SyntheticSeq2Seq.t5(T5Spec.flan());
        bartSynth = SyntheticSeq2Seq.bart(BartSpec.small());
        t5 = InferenceEngine.load(t5Synth.config(), t5Synth.weights(), EngineOptions.cpu(FpPrecision.FLOAT32));
        flan = InferenceEngine.load(flanSynth.config(), flanSynth.weights(), EngineOptions.cpu(FpPrecision.FLOAT32));
        bart = InferenceEngine.load(bartSynth.config(), bartSynth.weights(), EngineOptions.cpu(FpPrecision.FLOAT32));
    }

    @AfterAll
    static void close() {
        t5.close();
        flan.close();
        bart.close();
    }

    private static List<int[]> inputs(int n, int vocab, long seed) {
        Random r = new Random(seed);
        List<int[]> out = new ArrayList<>();
        int[] lens = {3, 9, 1, 6, 12, 2, 7};
        for (int i = 0; i < n; i++) {
            int[] p = new int[lens[i % lens.length]];
            for (int j = 0; j < p.length; j++) {
                p[j] = 3 + r.nextInt(vocab - 3);
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
    void batchedGreedyEqualsOneByOne() {
        for (LoadedModel model : List.of(t5, flan, bart)) {
            List<int[]> in = inputs(7, model.info().vocabSize(), 3);
            List<GenerationResult> single = new Generator(model, greedy(9).batchSize(1).build()).generate(in, null);
            List<GenerationResult> batched = new Generator(model, greedy(9).batchSize(4).build()).generate(in, null);
            List<GenerationResult> dynamic = new Generator(model, greedy(9).batchSize(3).dynamicBatching(true)
                    .build()).generate(in, null);
            assertThat(tokens(batched)).as(model.info().modelType()).isEqualTo(tokens(single));
            assertThat(tokens(dynamic)).as(model.info().modelType()).isEqualTo(tokens(single));
            for (int i = 0; i < in.size(); i++) {
                assertThat(single.get(i).generatedTokens()).hasSize(9);
                assertThat(dynamic.get(i).promptTokens()).isEqualTo(in.get(i));
            }
        }
    }

    /** Greedy decoding with the float64 reference, token by token from the decoder start (and forced BOS). */
    private static int[] referenceGreedy(BiFunction<int[], int[], double[][]> ref, int[] source, int start,
            int forcedBos, int n) {
        int[] dec = {start};
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            double[] row = ref.apply(source, dec)[dec.length - 1];
            int best = 0;
            for (int v = 1; v < row.length; v++) {
                if (row[v] > row[best]) {
                    best = v;
                }
            }
            out[k] = k == 0 && forcedBos >= 0 ? forcedBos : best;
            dec = Arrays.copyOf(dec, dec.length + 1);
            dec[dec.length - 1] = out[k];
        }
        return out;
    }

    @Test
    void greedyOutputsMatchTheReference() {
        ReferenceT5 t5Ref = new ReferenceT5(flanSynth.config(), flanSynth.weights());
        ReferenceBart bartRef = new ReferenceBart(bartSynth.config(), bartSynth.weights());
        List<int[]> t5In = inputs(3, flan.info().vocabSize(), 17);
        List<GenerationResult> t5Out = new Generator(flan, greedy(6).batchSize(3).build()).generate(t5In, null);
        List<int[]> bartIn = inputs(3, bart.info().vocabSize(), 18);
        List<GenerationResult> bartOut = new Generator(bart, greedy(6).batchSize(3).build()).generate(bartIn, null);
        for (int i = 0; i < 3; i++) {
            assertThat(t5Out.get(i).generatedTokens())
                    .isEqualTo(referenceGreedy(t5Ref::logits, t5In.get(i), 0, -1, 6));
            assertThat(bartOut.get(i).generatedTokens())
                    .isEqualTo(referenceGreedy(bartRef::logits, bartIn.get(i), 2, 0, 6));
        }
    }

    @Test
    void forcedBosIsEveryFirstToken() {
        List<GenerationResult> out = new Generator(bart, greedy(4).batchSize(3).build())
                .generate(inputs(5, 91, 4), null);
        for (GenerationResult r : out) {
            assertThat(r.generatedTokens()[0]).isZero();
            assertThat(r.generatedTokens()).hasSize(4);
        }
        SyntheticModels.Model free = SyntheticSeq2Seq.bart(new BartSpec(24, 3, 4, 34, 38, 2, 3, 91, 40, false, null,
                13));
        try (LoadedModel unforced = InferenceEngine.load(free.config(), free.weights(),
                EngineOptions.cpu(FpPrecision.FLOAT32))) {
            assertThat(unforced.seq2seq().forcedBosTokenId()).isEqualTo(-1);
            List<GenerationResult> plain = new Generator(unforced, greedy(4).batchSize(3).build())
                    .generate(inputs(5, 91, 4), null);
            assertThat(plain.stream().allMatch(r -> r.generatedTokens()[0] == 0)).isFalse();
        }
    }

    @Test
    void forcedEosEndsSequencesCutByTheLengthLimit() {
        SyntheticModels.Model m = SyntheticSeq2Seq.bart(BartSpec.small());
        m.config().put("forced_eos_token_id", 2);
        try (LoadedModel forced = InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(FpPrecision.FLOAT32))) {
            List<int[]> in = inputs(4, 91, 6);
            List<GenerationResult> plain = new Generator(bart, greedy(5).batchSize(4).build()).generate(in, null);
            List<GenerationResult> out = new Generator(forced, greedy(5).batchSize(4).eosTokenId(2).build())
                    .generate(in, null);
            for (int i = 0; i < in.size(); i++) {
                int[] g = out.get(i).generatedTokens();
                assertThat(g[g.length - 1]).isEqualTo(2);
                assertThat(out.get(i).finishReason()).isEqualTo(FinishReason.EOS);
                // before the limit, the same tokens as without the forced EOS (until a natural EOS)
                assertThat(Arrays.copyOf(g, g.length - 1))
                        .isEqualTo(Arrays.copyOf(plain.get(i).generatedTokens(), g.length - 1));
            }
        }
    }

    @Test
    void eosEndsOnlyItsSequenceAndMinTokensSuppressesIt() {
        List<int[]> in = inputs(4, 89, 11);
        List<GenerationResult> free = new Generator(t5, greedy(10).batchSize(4).build()).generate(in, null);
        int eos = free.get(1).generatedTokens()[2];
        List<GenerationResult> stopped = new Generator(t5, greedy(10).batchSize(4).eosTokenId(eos).build())
                .generate(in, null);
        for (int i = 0; i < in.size(); i++) {
            int[] f = free.get(i).generatedTokens();
            int cut = f.length;
            for (int j = 0; j < f.length; j++) {
                if (f[j] == eos) {
                    cut = j + 1;
                    break;
                }
            }
            assertThat(stopped.get(i).generatedTokens()).isEqualTo(Arrays.copyOf(f, cut));
        }
        assertThat(stopped.get(1).finishReason()).isEqualTo(FinishReason.EOS);
        List<GenerationResult> suppressed = new Generator(t5, greedy(10).batchSize(4).eosTokenId(eos)
                .minNewTokens(8).build()).generate(in, null);
        for (GenerationResult r : suppressed) {
            assertThat(r.generatedTokens().length).isGreaterThanOrEqualTo(8);
            assertThat(Arrays.stream(r.generatedTokens()).limit(8).noneMatch(t -> t == eos)).isTrue();
        }
    }

    @Test
    void samplingIsReproducibleAndIndependentOfBatching() {
        List<int[]> in = inputs(5, 91, 5);
        GenerationConfig.Builder sampling = greedy(8).doSample(true).temperature(1.3).topK(20).topP(0.9).seed(77);
        List<GenerationResult> a = new Generator(bart, sampling.batchSize(5).build()).generate(in, null);
        List<GenerationResult> b = new Generator(bart, sampling.batchSize(2).dynamicBatching(true).build())
                .generate(in, null);
        List<GenerationResult> other = new Generator(bart, sampling.seed(78).batchSize(5).build()).generate(in, null);
        assertThat(tokens(a)).isEqualTo(tokens(b));
        assertThat(tokens(a)).isNotEqualTo(tokens(other));
    }

    @Test
    void truncationKeepsTheStartAndTheTrailingEos() {
        int[] input = {5, 6, 7, 8, 9, 10, 1};
        List<GenerationResult> cut = new Generator(t5, greedy(4).maxInputTokens(4).eosTokenId(1).build())
                .generate(List.of(input), null);
        List<GenerationResult> head = new Generator(t5, greedy(4).eosTokenId(1).build())
                .generate(List.<int[]>of(new int[] {5, 6, 7, 1}), null);
        assertThat(cut.get(0).promptTokens()).containsExactly(5, 6, 7, 1);
        assertThat(cut.get(0).truncatedTokens()).isEqualTo(3);
        assertThat(cut.get(0).generatedTokens()).isEqualTo(head.get(0).generatedTokens());
    }

    @Test
    void listenerEventsAndCountedFlopsCoverEncoderAndDecoder() {
        // t5 v1: d_model 20, d_kv 7, 3 heads (inner 21), d_ff 36 (relu: 2 matrices), 2 encoder + 3 decoder layers
        List<int[]> in = List.of(new int[] {4, 5, 6}, new int[] {7, 8, 9, 10, 11});
        List<Object> events = new ArrayList<>();
        new Generator(t5, greedy(4).batchSize(2).build()).generate(in, new GenerationListener() {
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
        });
        assertThat(events).hasSize(1 + 1 + 3 + 1);
        GenerationListener.BatchStart start = (GenerationListener.BatchStart) events.get(0);
        assertThat(start.inputTokens()).isEqualTo(8);
        assertThat(start.paddedInputTokens()).isEqualTo(10);
        GenerationListener.PrefillDone prefill = (GenerationListener.PrefillDone) events.get(1);
        assertThat(prefill.tokensProduced()).isEqualTo(2);
        assertThat(prefill.timeToFirstTokenNanos()).isPositive();
        long b = 2;
        long s = 5;
        long d = 20;
        long inner = 21;
        long encoder = 2 * b * s * (4 * d * inner) + 2 * 2 * b * 3 * s * s * 7 + 2 * b * s * 2 * d * 36
                + 3 * b * s * 2 * d * inner;
        long decoderStep1 = 3 * b * 6 * d * inner + 3 * 2 * b * 3 * (1 + s) * 7 + 3 * b * 2 * d * 36 + b * d * 89;
        assertThat(prefill.countedFlops().macs()).isEqualTo((double) (encoder + decoderStep1));
        long steps = 0;
        for (int k = 2; k <= 4; k++) { // the decode steps see 2, 3, 4 self-attention columns
            steps += 3 * b * 6 * d * inner + 3 * 2 * b * 3 * (k + s) * 7 + 3 * b * 2 * d * 36 + b * d * 89;
        }
        GenerationListener.BatchEnd end = (GenerationListener.BatchEnd) events.get(5);
        FlopsCount total = end.countedFlops();
        assertThat(total.macs()).isEqualTo((double) (encoder + decoderStep1 + steps));
        assertThat(end.outputTokens()).containsExactly(4, 4);
        assertThat(end.inputTokens()).containsExactly(3, 5);
    }

    @Test
    void learnedPositionsBoundInputsAndOutputs() {
        // the synthetic BART has 40 positions
        assertThatThrownBy(() -> new Generator(bart, greedy(4).build()).generate(List.of(new int[41]), null))
                .isInstanceOf(EngineException.class).hasMessageContaining("40 positions");
        assertThatThrownBy(() -> new Generator(bart, greedy(41).build()).generate(List.of(new int[3]), null))
                .isInstanceOf(EngineException.class).hasMessageContaining("40 positions");
    }
}
