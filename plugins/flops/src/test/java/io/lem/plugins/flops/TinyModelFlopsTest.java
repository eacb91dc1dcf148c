package io.lem.plugins.flops;

import io.lem.api.flops.BatchWork;
import io.lem.api.flops.FlopsCount;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.lem.plugins.flops.FlopsMethod.ARCHITECTURE_CAUSAL;
import static io.lem.plugins.flops.FlopsMethod.ARCHITECTURE_DENSE;
import static io.lem.plugins.flops.FlopsMethod.PARAMETER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every number here was worked out by hand from the tiny configs, independently of the code:
 *
 * <pre>
 * tiny llama: H=8, L=2, heads=2, head_dim=4, kv_heads=1 (kv width 4), I=16, V=10, untied, no biases
 *   attention params/layer = q 8·8 + k 8·4 + v 8·4 + o 8·8 = 192        x2 layers = 384
 *   mlp params/layer       = 3·8·16 = 384                               x2 layers = 768
 *   norms                  = (2·2 + 1)·8 = 40;  embedding 10·8 = 80;  lm_head 80
 *   total 1352, non-embedding 1272
 *   linear MACs/token: attention 384, mlp 768, lm_head 80 (= 1232)
 *   attention MACs per (query, key) pair = L·2·heads·head_dim = 2·2·8 = 32
 *
 * tiny gpt2: H=8, L=1, heads=2, I=4·8=32, V=10, 16 learned positions, tied, LayerNorm, all biases
 *   wte 80, wpe 128; attention c_attn 8·24+24 + c_proj 8·8+8 = 288; mlp 8·32+32 + 32·8+8 = 552;
 *   norms 3·2·8 = 48; lm_head 0 (tied); total 1096, embedding 208, non-embedding 888
 *   linear MACs/token: attention 4·64 = 256, mlp 2·8·32 = 512, lm_head 80; pair MACs 1·2·8 = 16
 * </pre>
 */
class TinyModelFlopsTest {

    private final ArchitectureMath llama = TinyConfigs.math(TinyConfigs.LLAMA);
    private final ArchitectureMath gpt2 = TinyConfigs.math(TinyConfigs.GPT2);

    @Test
    void tinyLlamaParameters() {
        assertThat(llama.parameters()).isEqualTo(new ParameterCount(80, 0, 384, 768, 40, 80));
        assertThat(llama.parameters().total()).isEqualTo(1352);
        assertThat(llama.parameters().nonEmbedding()).isEqualTo(1272);
    }

    @Test
    void tinyGpt2ParametersCountTiedHeadOnceAndPositionsAsEmbedding() {
        ParameterCount p = gpt2.parameters();

        assertThat(p).isEqualTo(new ParameterCount(80, 128, 288, 552, 48, 0));
        assertThat(p.total()).isEqualTo(1096);
        assertThat(p.embedding()).isEqualTo(208);
        assertThat(p.nonEmbedding()).isEqualTo(888);
    }

    @Test
    void tinyLlamaForwardOverThreeTokensUnderEachConvention() {
        // dense: T² = 9 pairs · 32 = 288; linears 3 · (384, 768, 80)
        assertThat(llama.forward(ARCHITECTURE_DENSE, 3, 1)).isEqualTo(new Macs(1152, 288, 2304, 240, 0));
        assertThat(llama.forward(ARCHITECTURE_DENSE, 3, 1).flops()).isEqualTo(7968);
        // causal: T(T+1)/2 = 6 pairs · 32 = 192
        assertThat(llama.forward(ARCHITECTURE_CAUSAL, 3, 1)).isEqualTo(new Macs(1152, 192, 2304, 240, 0));
        assertThat(llama.forward(ARCHITECTURE_CAUSAL, 3, 1).flops()).isEqualTo(7776);
        // parameter: 3 · 1272, no attention-score term, norm weights counted
        assertThat(llama.forward(PARAMETER, 3, 1)).isEqualTo(new Macs(1152, 0, 2304, 240, 120));
        assertThat(llama.forward(PARAMETER, 3, 1).flops()).isEqualTo(2 * 3 * 1272);
        // B sequences cost B times one
        assertThat(llama.forward(ARCHITECTURE_DENSE, 3, 4)).isEqualTo(new Macs(4608, 1152, 9216, 960, 0));
    }

    @Test
    void tinyLlamaDecodeStepAttendsToPositionPlusOneKeys() {
        // new token at position 3 attends to 4 keys: 4 · 32 = 128
        Macs step = llama.decodeStep(ARCHITECTURE_CAUSAL, 3);

        assertThat(step).isEqualTo(new Macs(384, 128, 768, 80, 0));
        assertThat(llama.decodeStep(ARCHITECTURE_DENSE, 3)).isEqualTo(step);
        assertThat(llama.decodeStep(PARAMETER, 3)).isEqualTo(new Macs(384, 0, 768, 80, 40));
    }

    @Test
    void tinyLlamaBatchOfTwoSequences() {
        // seq 1: prompt 3, 3 generated -> prefill 3 + decode at positions 3 and 4 (4 + 5 = 9 keys)
        // seq 2: prompt 2, 1 generated -> prefill 2 only
        BatchWork batch = new BatchWork(List.of(3, 2), List.of(3, 1));
        AnalyticFlopsEstimator estimator = new AnalyticFlopsEstimator(llama);

        // causal: 7 linear positions; pairs 6 + 9 + 3 = 18 -> 576
        FlopsCount causal = estimator.estimate("architecture-causal", batch);
        assertThat(causal.macs()).isEqualTo(2688 + 576 + 5376 + 560);
        assertThat(causal.flops()).isEqualTo(2.0 * 9200);
        assertThat(causal.breakdown()).isEqualTo(Map.of("attention_linear", 5376.0, "attention_scores", 1152.0,
                "mlp", 10752.0, "lm_head", 1120.0));

        // dense: prefill pairs 9 and 4, decode keys 9 -> 22 pairs -> 704
        FlopsCount dense = estimator.estimate("architecture-dense", batch);
        assertThat(dense.macs()).isEqualTo(2688 + 704 + 5376 + 560);
        assertThat(dense.breakdown()).containsEntry("attention_scores", 1408.0);

        // parameter: 7 positions · 1272
        FlopsCount parameter = estimator.estimate("parameter", batch);
        assertThat(parameter.macs()).isEqualTo(7 * 1272);
        assertThat(parameter.breakdown()).isEqualTo(Map.of("attention_linear", 5376.0, "attention_scores", 0.0,
                "mlp", 10752.0, "lm_head", 1120.0, "norms", 560.0));
        assertThat(parameter.method()).isEqualTo("parameter");
    }

    @Test
    void tinyGpt2ForwardOverFourTokens() {
        // dense: 16 pairs · 16 = 256; linears 4 · (256, 512, 80); the tied head still runs
        assertThat(gpt2.forward(ARCHITECTURE_DENSE, 4, 1)).isEqualTo(new Macs(1024, 256, 2048, 320, 0));
        // causal: 10 pairs · 16 = 160
        assertThat(gpt2.forward(ARCHITECTURE_CAUSAL, 4, 1)).isEqualTo(new Macs(1024, 160, 2048, 320, 0));
        // parameter: 4 · 888 with biases in their layers, the tied head not counted
        assertThat(gpt2.forward(PARAMETER, 4, 1)).isEqualTo(new Macs(1152, 0, 2208, 0, 192));
    }

    @Test
    void tinyKvCacheAndWeightBytes() {
        // 2 (k, v) · 2 layers · 1 kv head · 4 · bytes
        assertThat(llama.kvCacheBytesPerToken(Precision.FLOAT16)).isEqualTo(32);
        assertThat(llama.kvCacheBytesPerToken(Precision.FLOAT32)).isEqualTo(64);
        assertThat(llama.weightBytes(Precision.BFLOAT16)).isEqualTo(2 * 1352);
        // gpt2: 2 · 1 layer · 2 heads · 4 · 4 bytes
        assertThat(gpt2.kvCacheBytesPerToken(Precision.FLOAT32)).isEqualTo(64);
    }
}
