package io.lem.plugins.flops;

import io.lem.api.flops.BatchWork;
import io.lem.api.flops.FlopsCount;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static io.lem.plugins.flops.FlopsMethod.ARCHITECTURE_CAUSAL;
import static io.lem.plugins.flops.FlopsMethod.ARCHITECTURE_DENSE;
import static io.lem.plugins.flops.FlopsMethod.PARAMETER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Encoder-decoder parameter counts and FLOPs, from inline configs (the keys that matter of the real ones). */
class EncoderDecoderMathTest {

    static final String T5_SMALL = """
            {"model_type": "t5", "d_model": 512, "d_kv": 64, "d_ff": 2048, "num_layers": 6, "num_heads": 8,
             "vocab_size": 32128, "relative_attention_num_buckets": 32}""";
    static final String FLAN_T5_SMALL = """
            {"model_type": "t5", "d_model": 512, "d_kv": 64, "d_ff": 1024, "num_layers": 8, "num_decoder_layers": 8,
             "num_heads": 6, "vocab_size": 32128, "feed_forward_proj": "gated-gelu", "tie_word_embeddings": false}""";
    static final String BART_LARGE_CNN = """
            {"model_type": "bart", "d_model": 1024, "encoder_layers": 12, "decoder_layers": 12,
             "encoder_attention_heads": 16, "decoder_attention_heads": 16, "encoder_ffn_dim": 4096,
             "decoder_ffn_dim": 4096, "vocab_size": 50264, "max_position_embeddings": 1024}""";

    private static EncoderDecoderMath math(String json) throws IOException {
        return new EncoderDecoderMath(HfConfig.encoderDecoderShapeOf(HfConfig.parse(json)));
    }

    @Test
    void publishedParameterCounts() throws IOException {
        assertThat(math(T5_SMALL).parameters().total()).isEqualTo(60_506_624L);
        assertThat(math(FLAN_T5_SMALL).parameters().total()).isEqualTo(76_961_152L);
        assertThat(math(BART_LARGE_CNN).parameters().total()).isEqualTo(406_290_432L);
    }

    @Test
    void encoderAndDecoderPartsAddUpToTheTotal() throws IOException {
        for (String json : List.of(T5_SMALL, FLAN_T5_SMALL, BART_LARGE_CNN)) {
            EncoderDecoderMath m = math(json);
            assertThat(m.encoderParameters() + m.decoderParameters() + m.parameters().tokenEmbedding())
                    .isEqualTo(m.parameters().total());
        }
        // t5-small: 6 encoder blocks of 4·512·512 + 2·512·2048 + 2·512, relative bias 32·8, final norm 512
        assertThat(math(T5_SMALL).encoderParameters()).isEqualTo(6L * (1_048_576 + 2_097_152 + 1024) + 256 + 512);
    }

    @Test
    void sequenceIsTheEncoderPassPlusOneDecoderPositionPerGeneratedToken() throws IOException {
        EncoderDecoderMath m = math(T5_SMALL);
        long h = 512;
        long inner = 512;
        long p = 10;
        long n = 4;
        // encoder: 6 layers, 10 tokens, 10² pairs
        Macs encoder = m.encoder(ARCHITECTURE_DENSE, p);
        assertThat(encoder.attentionLinear()).isEqualTo(6 * 4 * h * inner * p);
        assertThat(encoder.attentionScores()).isEqualTo(6 * 2 * inner * p * p);
        assertThat(encoder.mlp()).isEqualTo(6 * 2 * h * 2048 * p);
        // decoder: cross K/V of 10 inputs, 4 positions with 1..4 self keys and 10 cross keys each
        Macs decoder = m.decoder(ARCHITECTURE_DENSE, p, n);
        assertThat(decoder.attentionLinear()).isEqualTo(6 * 2 * h * inner * p + 6 * 6 * h * inner * n);
        assertThat(decoder.attentionScores()).isEqualTo(6 * 2 * inner * ((1 + 2 + 3 + 4) + n * p));
        assertThat(decoder.lmHead()).isEqualTo(h * 32128 * n);
        assertThat(m.sequence(ARCHITECTURE_DENSE, p, n)).isEqualTo(encoder.plus(decoder));
        assertThat(m.sequence(ARCHITECTURE_CAUSAL, p, n)).isEqualTo(m.sequence(ARCHITECTURE_DENSE, p, n));
        // nothing generated: the prefill's first decoder step still ran
        assertThat(m.sequence(ARCHITECTURE_DENSE, p, 0)).isEqualTo(encoder.plus(m.decoder(ARCHITECTURE_DENSE, p, 1)));
    }

    @Test
    void parameterMethodChargesEachStackPerItsOwnTokens() throws IOException {
        EncoderDecoderMath m = math(FLAN_T5_SMALL);
        Macs macs = m.sequence(PARAMETER, 7, 3);
        // every weight of a stack once per token of that stack, but not the relative bias table (32 buckets × 6 heads)
        long relativeBias = 32L * 6;
        assertThat(macs.total()).isEqualTo(7 * (m.encoderParameters() - relativeBias)
                + 3 * (m.decoderParameters() - relativeBias));
    }

    @Test
    void estimatorSumsSequencesAndProviderPicksTheEncoderDecoderMath() throws Exception {
        AnalyticFlopsProvider provider = new AnalyticFlopsProvider();
        var estimator = provider.forModel(HfConfig.parse(BART_LARGE_CNN));
        FlopsCount count = estimator.estimate("architecture-dense",
                new BatchWork(List.of(12, 5), List.of(3, 9)));
        EncoderDecoderMath m = math(BART_LARGE_CNN);
        Macs expected = m.sequence(ARCHITECTURE_DENSE, 12, 3).plus(m.sequence(ARCHITECTURE_DENSE, 5, 9));
        assertThat(count.macs()).isEqualTo((double) expected.total());
        assertThat(count.flops()).isEqualTo(2.0 * expected.total());
    }

    @Test
    void unsupportedEncoderDecoderTypeListsTheSupportedOnes() throws IOException {
        assertThatThrownBy(() -> HfConfig.encoderDecoderShapeOf(HfConfig.parse("{\"model_type\": \"pegasus\"}")))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("bart, mt5, t5");
        assertThat(HfConfig.isEncoderDecoder(HfConfig.parse(T5_SMALL))).isTrue();
        assertThat(HfConfig.isEncoderDecoder(HfConfig.parse("{\"model_type\": \"gpt2\"}"))).isFalse();
    }
}
