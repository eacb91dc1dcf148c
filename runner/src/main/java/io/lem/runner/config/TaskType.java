package io.lem.runner.config;

/** {@code task_type}: what the prompts ask of the model. */
public enum TaskType implements YamlEnum {
    TEXT_GENERATION,
    TRANSLATION,
    SUMMARISATION
}
