package io.lem.runner.config;

import java.util.Objects;

/** A secret config value. {@link #toString()} never shows it, so logging a config cannot leak it. */
public record Secret(String value) {

    public static final String REDACTED = "***redacted***";

    public Secret {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return REDACTED;
    }
}
