package io.lem.api.flops;

import java.util.Map;

/**
 * A model as its HuggingFace {@code config.json} describes it: enough to estimate FLOPs without weights.
 *
 * @param modelType {@code model_type}, e.g. {@code llama}, {@code gpt2}
 * @param config    the parsed {@code config.json}
 */
public record ModelArchitecture(String modelType, Map<String, Object> config) {
    public ModelArchitecture {
        config = Map.copyOf(config);
    }
}
