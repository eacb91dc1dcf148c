package io.lem.plugins.flops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Multiply-accumulates by component; one MAC is 2 FLOPs. Under {@link FlopsMethod#PARAMETER} a "MAC" is one weight
 * used once, which is where {@link #norms} (norm weights) can be non-zero.
 *
 * @param attentionLinear q, k, v and o projections
 * @param attentionScores the two attention matmuls, QKᵀ and AV
 * @param mlp             feed-forward projections
 * @param lmHead          the vocabulary projection
 * @param norms           norm weights (parameter method only)
 */
public record Macs(long attentionLinear, long attentionScores, long mlp, long lmHead, long norms) {

    public static final Macs ZERO = new Macs(0, 0, 0, 0, 0);

    public Macs plus(Macs o) {
        return new Macs(Math.addExact(attentionLinear, o.attentionLinear),
                Math.addExact(attentionScores, o.attentionScores), Math.addExact(mlp, o.mlp),
                Math.addExact(lmHead, o.lmHead), Math.addExact(norms, o.norms));
    }

    public Macs times(long factor) {
        return new Macs(Math.multiplyExact(attentionLinear, factor), Math.multiplyExact(attentionScores, factor),
                Math.multiplyExact(mlp, factor), Math.multiplyExact(lmHead, factor), Math.multiplyExact(norms, factor));
    }

    public long total() {
        return Math.addExact(Math.addExact(Math.addExact(attentionLinear, attentionScores), Math.addExact(mlp, lmHead)),
                norms);
    }

    /** 2 × {@link #total()}. */
    public long flops() {
        return Math.multiplyExact(2L, total());
    }

    /**
     * FLOPs per component under the keys {@code attention_linear}, {@code attention_scores}, {@code mlp},
     * {@code lm_head}, and {@code norms} only when non-zero (the parameter method).
     */
    public Map<String, Double> breakdownFlops() {
        Map<String, Double> b = new LinkedHashMap<>();
        b.put("attention_linear", 2.0 * attentionLinear);
        b.put("attention_scores", 2.0 * attentionScores);
        b.put("mlp", 2.0 * mlp);
        b.put("lm_head", 2.0 * lmHead);
        if (norms != 0) {
            b.put("norms", 2.0 * norms);
        }
        return b;
    }
}
