package io.lem.plugins.flops;

import org.junit.jupiter.api.Test;

import static io.lem.plugins.flops.FlopsMethod.ARCHITECTURE_CAUSAL;
import static io.lem.plugins.flops.FlopsMethod.ARCHITECTURE_DENSE;
import static io.lem.plugins.flops.FlopsMethod.PARAMETER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Relations the conventions must keep, checked on a mid-sized synthetic shape with GQA and biases. */
class ArchitectureMathTest {

    private final ArchitectureMath math = new ArchitectureMath(new ModelShape("llama", 96, 3, 6, 2, 16, 256, 1000, 0,
            false, MlpKind.GATED, NormKind.RMS, true, true, false));

    @Test
    void causalPrefillPlusDecodeEqualsOneCausalForwardOverAllFedPositions() {
        // 17-token prompt, 9 generated: 17 + 8 positions fed through the model
        assertThat(math.sequence(ARCHITECTURE_CAUSAL, 17, 9)).isEqualTo(math.forward(ARCHITECTURE_CAUSAL, 25, 1));
        assertThat(math.sequence(PARAMETER, 17, 9)).isEqualTo(math.forward(PARAMETER, 25, 1));
    }

    @Test
    void decodeStepsAreTheSumOfSingleSteps() {
        for (FlopsMethod m : FlopsMethod.values()) {
            Macs sum = Macs.ZERO;
            for (long p = 40; p < 47; p++) {
                sum = sum.plus(math.decodeStep(m, p));
            }
            assertThat(math.decode(m, 40, 7)).as(m.label()).isEqualTo(sum);
        }
    }

    @Test
    void conventionsDifferOnlyWhereTheirDefinitionsDo() {
        Macs dense = math.forward(ARCHITECTURE_DENSE, 50, 2);
        Macs causal = math.forward(ARCHITECTURE_CAUSAL, 50, 2);

        // same linears, attention T² vs T(T+1)/2
        assertThat(dense.attentionLinear()).isEqualTo(causal.attentionLinear());
        assertThat(dense.mlp()).isEqualTo(causal.mlp());
        assertThat(dense.lmHead()).isEqualTo(causal.lmHead());
        assertThat(dense.attentionScores() * 51).isEqualTo(causal.attentionScores() * 100);
        // decode with a KV cache has no masked part
        assertThat(math.decode(ARCHITECTURE_DENSE, 50, 10)).isEqualTo(math.decode(ARCHITECTURE_CAUSAL, 50, 10));
        // parameter method: exactly 2 · non-embedding params per position
        assertThat(math.forward(PARAMETER, 50, 2).flops()).isEqualTo(2 * 100 * math.parameters().nonEmbedding());
    }

    @Test
    void sequenceWithoutGeneratedTokensIsItsPrefill() {
        assertThat(math.sequence(ARCHITECTURE_DENSE, 12, 0)).isEqualTo(math.forward(ARCHITECTURE_DENSE, 12, 1));
        assertThat(math.sequence(ARCHITECTURE_DENSE, 12, 1)).isEqualTo(math.forward(ARCHITECTURE_DENSE, 12, 1));
    }

    @Test
    void biasesCountAsParametersButNotAsLinearMacs() {
        // q, k, v, o biases: 96 + 2·32 + 96 = 256 per layer
        assertThat(math.parameters().attention() - math.linearMacsPerToken().attentionLinear()).isEqualTo(3 * 256);
    }

    @Test
    void rejectsNegativeCounts() {
        assertThatThrownBy(() -> math.forward(ARCHITECTURE_DENSE, -1, 1)).hasMessageContaining("tokens");
        assertThatThrownBy(() -> math.sequence(PARAMETER, 3, -2)).hasMessageContaining("generatedTokens");
    }

    @Test
    void overflowThrowsInsteadOfWrapping() {
        assertThatThrownBy(() -> math.forward(ARCHITECTURE_DENSE, 3_000_000_000L, 1))
                .isInstanceOf(ArithmeticException.class);
    }
}
