package io.lem.api.event;

import java.util.Map;

/**
 * Floating-point work estimated or counted for a batch (or a whole process when {@code batchIndex} is null).
 *
 * @param method     {@code parameter}, {@code architecture-dense}, {@code architecture-causal} or {@code counted}
 * @param batchIndex batch the figure covers, null for a process total
 * @param flops      floating-point operations (one multiply-add = 2 FLOPs)
 * @param macs       multiply-accumulate operations
 * @param tokens     tokens the figure covers
 * @param breakdown  FLOPs per component, e.g. {@code attention}, {@code mlp}, {@code lm_head}
 */
public record FlopsEstimate(Envelope envelope, String method, Integer batchIndex, double flops, double macs,
                            long tokens, Map<String, Double> breakdown) implements LemEvent {
    public FlopsEstimate {
        breakdown = breakdown == null ? Map.of() : Map.copyOf(breakdown);
    }
}
