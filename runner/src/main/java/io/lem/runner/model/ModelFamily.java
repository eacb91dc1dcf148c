package io.lem.runner.model;

import io.lem.runner.engine.ConfigValues;
import io.lem.runner.engine.WeightLoader;

import java.util.List;

/**
 * An architecture the engine implements, e.g. Llama, GPT-2, T5 or BART, and the {@code model_type} values it runs.
 * Decoder-only families return a {@link CausalLm}, encoder-decoder families a {@link Seq2SeqLm}.
 */
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
    LanguageModel load(ConfigValues config, WeightLoader weights, String device);

    /** True for encoder-decoder families (their {@link #load} returns a {@link Seq2SeqLm}). */
    default boolean encoderDecoder() {
        return false;
    }
}
