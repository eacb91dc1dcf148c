package io.lem.plugins.flops;

/** The normalization layers of a model, which differ in parameter count. */
public enum NormKind {
    /** RMSNorm: a weight vector only. */
    RMS(1),
    /** LayerNorm: weight and bias vectors. */
    LAYER(2);

    private final int vectors;

    NormKind(int vectors) {
        this.vectors = vectors;
    }

    /** Parameter vectors of length hidden size per norm. */
    public int vectors() {
        return vectors;
    }
}
