package io.lem.runner.config;

/** {@code fp_precision}: the dtype weights and activations are computed in. */
public enum FpPrecision implements YamlEnum {
    FLOAT32,
    FLOAT16,
    BFLOAT16
}
