package io.lem.runner.model.t5;

import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.engine.LogitsCheck;
import io.lem.runner.engine.Seq2SeqLogitsCheck;
import io.lem.runner.engine.Seq2SeqState;
import io.lem.runner.engine.SyntheticModels;
import io.lem.runner.engine.SyntheticSeq2Seq;
import io.lem.runner.engine.SyntheticSeq2Seq.T5Spec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's T5 logits against an independent float64 reference, on odd-sized synthetic models. */
class T5ReferenceTest {

    private static double check(T5Spec spec, FpPrecision precision, int[] sourceLens, int decoderLen,
            int firstChunk) {
        SyntheticModels.Model m = SyntheticSeq2Seq.t5(spec);
        ReferenceT5 ref = new ReferenceT5(m.config(), m.weights());
        Random r = new Random(5);
        List<int[]> sources = new ArrayList<>();
        List<int[]> targets = new ArrayList<>();
        for (int len : sourceLens) {
            sources.add(LogitsCheck.randomTokens(r, len, spec.vocab()));
            int[] target = LogitsCheck.randomTokens(r, decoderLen, spec.vocab());
            target[0] = 0; // decoder_start_token_id
            targets.add(target);
        }
        try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(precision))) {
            double batched = Seq2SeqLogitsCheck.maxRelativeError(model.seq2seq(), ref::logits, sources, targets,
                    firstChunk);
            double single = 0;
            for (int i = 0; i < sources.size(); i++) {
                single = Math.max(single, Seq2SeqLogitsCheck.maxRelativeError(model.seq2seq(), ref::logits,
                        List.of(sources.get(i)), List.of(targets.get(i)), 1));
            }
            double worst = Math.max(batched, single);
            System.out.printf("t5 %s %s tied %s: max relative error %.3g (batched %.3g, single %.3g)%n",
                    spec.feedForward(), precision, spec.tied(), worst, batched, single);
            return worst;
        }
    }

    @Test
    void t5V1ReluTiedMatchesReference() {
        // long enough sources and targets to reach the logarithmic buckets (maxExact 2 and 4 here)
        assertThat(check(T5Spec.v1(), FpPrecision.FLOAT32, new int[] {1, 7, 30}, 14, 1)).isLessThan(1e-4);
    }

    @Test
    void flanGatedGeluUntiedMatchesReference() {
        assertThat(check(T5Spec.flan(), FpPrecision.FLOAT32, new int[] {12, 3, 27}, 12, 1)).isLessThan(1e-4);
    }

    @Test
    void severalDecoderColumnsAtOnceMatchReference() {
        assertThat(check(T5Spec.flan(), FpPrecision.FLOAT32, new int[] {4, 9}, 8, 5)).isLessThan(1e-4);
    }

    @Test
    void float16RunsAndStaysClose() {
        assertThat(check(T5Spec.v1(), FpPrecision.FLOAT16, new int[] {3, 8}, 5, 1)).isLessThan(3e-2);
    }

    @Test
    void float16OverflowIsClampedAsHuggingFaceDoes() {
        // a feed-forward whose output overflows float16 (|x| > 65504): unclamped, the next norm turns inf into NaN
        SyntheticModels.Model m = SyntheticSeq2Seq.t5(T5Spec.v1());
        for (String name : List.of("encoder.block.0.layer.1.DenseReluDense.wi.weight",
                "encoder.block.0.layer.1.DenseReluDense.wo.weight")) {
            float[] w = m.weights().get(name);
            for (int i = 0; i < w.length; i++) {
                w[i] *= name.endsWith("wi.weight") ? 10 : 2e4f;
            }
        }
        int[] source = {5, 9, 13, 17, 21, 25, 29, 33};
        for (FpPrecision precision : List.of(FpPrecision.FLOAT32, FpPrecision.FLOAT16)) {
            try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(precision));
                    Seq2SeqState state = model.seq2seq().encode(source, new int[] {source.length}, source.length,
                            2)) {
                float[] logits = model.seq2seq().decode(state, new int[] {0}, 1);
                for (float v : logits) {
                    assertThat(Float.isFinite(v)).as(precision + " logits finite").isTrue();
                }
            }
        }
        // the float32 encoder really exceeds the float16 range here
        ReferenceT5 ref = new ReferenceT5(m.config(), m.weights());
        assertThat(ref.maxAbsEncoderActivation(source)).isGreaterThan(65504);
    }

    @Test
    void parametersAreEveryTensorRead() {
        for (T5Spec spec : List.of(T5Spec.v1(), T5Spec.flan())) {
            SyntheticModels.Model m = SyntheticSeq2Seq.t5(spec);
            try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(),
                    EngineOptions.cpu(FpPrecision.FLOAT32))) {
                long expected = m.weights().names().stream().mapToLong(n -> m.weights().get(n).length).sum();
                assertThat(model.info().parameters()).isEqualTo(expected);
                assertThat(model.info().encoderDecoder()).isTrue();
                assertThat(model.info().tiedEmbeddings()).isEqualTo(spec.tied());
                assertThat(model.isEncoderDecoder()).isTrue();
                assertThatThrownBy(model::model).isInstanceOf(EngineException.class)
                        .hasMessageContaining("encoder-decoder");
            }
        }
    }

    @Test
    void bucketsFollowHuggingFace() {
        // values of HF's _relative_position_bucket for 32 buckets, max distance 128
        assertThat(T5Configuration.bucket(0, true, 32, 128)).isEqualTo(0);
        assertThat(T5Configuration.bucket(-3, true, 32, 128)).isEqualTo(3);
        assertThat(T5Configuration.bucket(3, true, 32, 128)).isEqualTo(19);
        assertThat(T5Configuration.bucket(-8, true, 32, 128)).isEqualTo(8);
        assertThat(T5Configuration.bucket(-20, true, 32, 128)).isEqualTo(10); // 8 + int(log(2.5)/log(16)·8) = 8 + 2
        assertThat(T5Configuration.bucket(-1000, true, 32, 128)).isEqualTo(15);
        assertThat(T5Configuration.bucket(1000, true, 32, 128)).isEqualTo(31);
        assertThat(T5Configuration.bucket(5, false, 32, 128)).isEqualTo(0);
        assertThat(T5Configuration.bucket(-5, false, 32, 128)).isEqualTo(5);
        assertThat(T5Configuration.bucket(-40, false, 32, 128)).isEqualTo(16 + 7); // 16 + int(log(2.5)/log(8)·16)
        assertThat(T5Configuration.bucket(-500, false, 32, 128)).isEqualTo(31);
    }

    @Test
    void unsupportedFeedForwardIsRefused() {
        SyntheticModels.Model m = SyntheticSeq2Seq.t5(T5Spec.v1());
        m.config().put("feed_forward_proj", "gated-tanh");
        assertThatThrownBy(() -> InferenceEngine.validate(m.config(), EngineOptions.cpu(FpPrecision.FLOAT32)))
                .isInstanceOf(EngineException.class).hasMessageContaining("feed_forward_proj 'gated-tanh'");
    }
}
