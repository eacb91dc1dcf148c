package io.lem.runner.model;

import io.lem.runner.engine.ConfigValues;
import io.lem.runner.engine.WeightLoader;

import java.util.List;

/** An architecture the engine implements, e.g. Llama or GPT-2, and the {@code model_type} values it runs. */
public interface ModelFamily {

    /** Short name, e.g. {@code llama}. */
    String name();

    /** The {@code model_type} values of config.json this family runs. */
    List<String> modelTypes();

    /**
     * Checks that this family can run the config (sizes, activation, rope scaling, ...) without reading weights or
     * starting the engine; throws {@link io.lem.runner.engine.EngineException} naming the problem.
     */
    void validate(ConfigValues config);

    /**
     * Builds the model: parses and validates the config, reads and uploads the weights.
     *
     * @param device the device's DJL name, for {@link ModelInfo#device()}
     */
    CausalLm load(ConfigValues config, WeightLoader weights, String device);
}
