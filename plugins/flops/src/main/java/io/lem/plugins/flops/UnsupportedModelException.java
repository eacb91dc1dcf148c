package io.lem.plugins.flops;

import java.util.List;

/** A {@code model_type} the analytic formulas do not cover; the message lists the ones they do. */
public final class UnsupportedModelException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String modelType;

    public UnsupportedModelException(String modelType, List<String> supported) {
        super("model_type '" + modelType + "' is not supported by the analytic FLOPs formulas; supported: "
                + String.join(", ", supported));
        this.modelType = modelType;
    }

    public String modelType() {
        return modelType;
    }
}
