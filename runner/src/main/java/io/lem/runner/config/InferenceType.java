package io.lem.runner.config;

/**
 * {@code inference_type}. The original tool names only {@code pure_generative}; it is an enum so that a value lem
 * cannot run is rejected when the config is validated rather than ignored at run time.
 */
public enum InferenceType implements YamlEnum {
    PURE_GENERATIVE
}
