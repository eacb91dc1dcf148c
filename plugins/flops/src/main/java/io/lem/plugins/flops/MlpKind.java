package io.lem.plugins.flops;

/** How a decoder layer's feed-forward block is built. */
public enum MlpKind {
    /** Llama family: {@code down(act(gate(x)) * up(x))}, three H×I matrices. */
    GATED(3),
    /** GPT-2: {@code proj(act(fc(x)))}, two H×I matrices. */
    PLAIN(2);

    private final int matrices;

    MlpKind(int matrices) {
        this.matrices = matrices;
    }

    /** Number of hidden×intermediate weight matrices per layer. */
    public int matrices() {
        return matrices;
    }
}
