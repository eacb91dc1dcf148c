package io.lem.plugins.flops;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The analytic FLOPs conventions. They count the same forward passes (see {@link ArchitectureMath}) and differ only
 * in what one pass costs:
 * <ul>
 *   <li>{@link #PARAMETER}: 2 × non-embedding parameters per token position (biases and norms included; a tied LM head
 *       is an embedding and so not counted, an untied one is);</li>
 *   <li>{@link #ARCHITECTURE_DENSE}: 2 × MACs of every linear layer including the LM head, plus both attention
 *       matmuls (QKᵀ and AV) over the full T×T score matrix of a prefill — what calflops counts for matmuls;</li>
 *   <li>{@link #ARCHITECTURE_CAUSAL}: the same linears, attention only over the causal triangle, T(T+1)/2 pairs.</li>
 * </ul>
 * A decode step with a KV cache has no masked part (its one query attends to all p+1 cached keys), so the two
 * architecture methods agree on decode steps and differ only in prefill attention.
 */
public enum FlopsMethod {
    PARAMETER("parameter"),
    ARCHITECTURE_DENSE("architecture-dense"),
    ARCHITECTURE_CAUSAL("architecture-causal");

    private final String label;

    FlopsMethod(String label) {
        this.label = label;
    }

    /** The name written in events and configs. */
    public String label() {
        return label;
    }

    public static List<String> labels() {
        return Arrays.stream(values()).map(FlopsMethod::label).collect(Collectors.toUnmodifiableList());
    }

    public static FlopsMethod parse(String label) {
        for (FlopsMethod m : values()) {
            if (m.label.equals(label)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown FLOPs method '" + label + "'; this plugin computes "
                + String.join(", ", labels()) + " (counted comes from the engine)");
    }
}
