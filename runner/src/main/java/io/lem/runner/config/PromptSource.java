package io.lem.runner.config;

import java.nio.file.Path;

/**
 * {@code prompts}: where the prompts come from, exactly one of a file (resolved against the config file that names
 * it, made absolute) or the name of a prompt set built into lem.
 */
public record PromptSource(Path file, String builtin) {

    public PromptSource {
        if ((file == null) == (builtin == null)) {
            throw new IllegalArgumentException("a prompt source is exactly one of a file or a builtin name");
        }
    }

    public static PromptSource ofFile(Path file) {
        return new PromptSource(file, null);
    }

    public static PromptSource ofBuiltin(String name) {
        return new PromptSource(null, name);
    }
}
