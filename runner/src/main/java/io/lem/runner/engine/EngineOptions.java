package io.lem.runner.engine;

import io.lem.runner.config.ExperimentConfig;
import io.lem.runner.config.FpPrecision;
import io.lem.runner.config.QuantizationConfig;

import java.util.Objects;

/**
 * How to load a model.
 *
 * @param device       {@code cpu}, or {@code gpu:N} / {@code cuda:N} ({@code gpu} alone means {@code gpu:0})
 * @param precision    dtype of weights and activations: float32 or float16; bfloat16 is refused at load
 * @param quantization {@code quantization_config}; any quantization is refused at load until supported. Null = none
 */
public record EngineOptions(String device, FpPrecision precision, QuantizationConfig quantization) {

    public EngineOptions {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(precision, "precision");
        if (quantization == null) {
            quantization = new QuantizationConfig(false, false, false);
        }
    }

    public EngineOptions(String device, FpPrecision precision) {
        this(device, precision, null);
    }

    /** An experiment's {@code fp_precision} and {@code quantization_config} on {@code device}. */
    public static EngineOptions of(ExperimentConfig config, String device) {
        return new EngineOptions(device, config.fpPrecision(), config.quantizationConfig());
    }

    public static EngineOptions cpu(FpPrecision precision) {
        return new EngineOptions("cpu", precision);
    }
}
