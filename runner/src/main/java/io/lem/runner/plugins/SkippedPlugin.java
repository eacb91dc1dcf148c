package io.lem.runner.plugins;

import java.util.Objects;

/**
 * A plugin (or one provider of a plugin) that was not loaded.
 *
 * @param source  {@value DiscoveredPlugin#BUILT_IN} or the path of the jar or directory
 * @param reason  the kind of failure
 * @param message one line saying what is wrong and, where possible, how to fix it
 */
public record SkippedPlugin(String source, SkipReason reason, String message) {

    public SkippedPlugin {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    /** {@code <source>: <reason>: <message>} */
    @Override
    public String toString() {
        return source + ": " + reason.label() + ": " + message;
    }
}
