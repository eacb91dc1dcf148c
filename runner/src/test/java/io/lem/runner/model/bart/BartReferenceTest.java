package io.lem.runner.model.bart;

import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.engine.LogitsCheck;
import io.lem.runner.engine.Seq2SeqLogitsCheck;
import io.lem.runner.engine.SyntheticModels;
import io.lem.runner.engine.SyntheticSeq2Seq;
import io.lem.runner.engine.SyntheticSeq2Seq.BartSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's BART logits against an independent float64 reference, on odd-sized synthetic models. */
class BartReferenceTest {

    private static double check(BartSpec spec, FpPrecision precision, int[] sourceLens, int decoderLen,
            int firstChunk) {
        SyntheticModels.Model m = SyntheticSeq2Seq.bart(spec);
        ReferenceBart ref = new ReferenceBart(m.config(), m.weights());
        Random r = new Random(9);
        List<int[]> sources = new ArrayList<>();
        List<int[]> targets = new ArrayList<>();
        for (int len : sourceLens) {
            sources.add(LogitsCheck.randomTokens(r, len, spec.vocab()));
            int[] target = LogitsCheck.randomTokens(r, decoderLen, spec.vocab());
            target[0] = 2; // decoder_start_token_id
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
            System.out.printf("bart %s scale_embedding %s: max relative error %.3g (batched %.3g, single %.3g)%n",
                    precision, spec.scaleEmbedding(), worst, batched, single);
            return worst;
        }
    }

    @Test
    void matchesReference() {
        assertThat(check(BartSpec.small(), FpPrecision.FLOAT32, new int[] {1, 6, 13}, 7, 1)).isLessThan(1e-4);
    }

    @Test
    void scaledEmbeddingsAndSeveralDecoderColumnsAtOnceMatchReference() {
        assertThat(check(BartSpec.small().withScaleEmbedding(true), FpPrecision.FLOAT32, new int[] {9, 2}, 6, 4))
                .isLessThan(1e-4);
    }

    @Test
    void float16RunsAndStaysClose() {
        assertThat(check(BartSpec.small(), FpPrecision.FLOAT16, new int[] {3, 8}, 4, 1)).isLessThan(3e-2);
    }

    @Test
    void finalLogitsBiasIsNotAParameter() {
        SyntheticModels.Model m = SyntheticSeq2Seq.bart(BartSpec.small());
        try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(FpPrecision.FLOAT32))) {
            long expected = m.weights().names().stream().filter(n -> !n.equals("final_logits_bias"))
                    .mapToLong(n -> m.weights().get(n).length).sum();
            assertThat(model.info().parameters()).isEqualTo(expected);
            assertThat(model.seq2seq().decoderStartTokenId()).isEqualTo(2);
            assertThat(model.seq2seq().forcedBosTokenId()).isEqualTo(0);
        }
    }

    @Test
    void preLayerNormIsRefused() {
        SyntheticModels.Model m = SyntheticSeq2Seq.bart(BartSpec.small());
        m.config().put("normalize_before", true);
        assertThatThrownBy(() -> InferenceEngine.validate(m.config(), EngineOptions.cpu(FpPrecision.FLOAT32)))
                .isInstanceOf(EngineException.class).hasMessageContaining("normalize_before");
    }
}
