package io.lem.runner.config;

import java.util.Locale;

/** An enum written in config files as its constant name in lower case: {@code FLOAT16} is {@code float16}. */
public interface YamlEnum {

    String name();

    default String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
