package io.lem.api.flops;

import java.util.Map;

/**
 * Floating-point work under one named convention.
 *
 * @param method    {@code parameter}, {@code architecture-dense}, {@code architecture-causal}, {@code counted}, ...
 * @param flops     floating-point operations (a multiply-add counts 2)
 * @param macs      multiply-accumulates
 * @param breakdown FLOPs per component, e.g. {@code attention}, {@code mlp}, {@code lm_head}
 */
public record FlopsCount(String method, double flops, double macs, Map<String, Double> breakdown) {
    public FlopsCount {
        breakdown = Map.copyOf(breakdown);
    }
}
