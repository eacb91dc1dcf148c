package io.lem.runner.engine;

import io.lem.api.flops.FlopsCount;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@value #METHOD} FLOPs method: multiply-accumulates of the matmuls the engine actually executed, over the shapes
 * it executed them on (padded batch, the KV-cache columns each attention step really covered, the LM head at the last
 * position only). One MAC is 2 FLOPs. Element-wise work (norms, activations, softmax, residual adds) is not counted.
 * Breakdown keys match the analytic methods: {@code attention_linear}, {@code attention_scores}, {@code mlp},
 * {@code lm_head}. Mutable, one per batch; not thread-safe.
 */
public final class CountedFlops {

    public static final String METHOD = "counted";

    private long attentionLinear;
    private long attentionScores;
    private long mlp;
    private long lmHead;

    public void attentionLinear(long macs) {
        attentionLinear = Math.addExact(attentionLinear, macs);
    }

    public void attentionScores(long macs) {
        attentionScores = Math.addExact(attentionScores, macs);
    }

    public void mlp(long macs) {
        mlp = Math.addExact(mlp, macs);
    }

    public void lmHead(long macs) {
        lmHead = Math.addExact(lmHead, macs);
    }

    public long macs() {
        return attentionLinear + attentionScores + mlp + lmHead;
    }

    public long flops() {
        return 2 * macs();
    }

    public FlopsCount toFlopsCount() {
        Map<String, Double> breakdown = new LinkedHashMap<>();
        breakdown.put("attention_linear", 2.0 * attentionLinear);
        breakdown.put("attention_scores", 2.0 * attentionScores);
        breakdown.put("mlp", 2.0 * mlp);
        breakdown.put("lm_head", 2.0 * lmHead);
        return new FlopsCount(METHOD, flops(), macs(), breakdown);
    }
}
