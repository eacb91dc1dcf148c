package io.lem.runner.config;

/**
 * {@code quantization_config}. At most one of the bit widths; {@code quantization} defaults to whether one is set,
 * and when written explicitly it must agree with them.
 */
public record QuantizationConfig(boolean quantization, boolean loadIn4bit, boolean loadIn8bit) {
}
