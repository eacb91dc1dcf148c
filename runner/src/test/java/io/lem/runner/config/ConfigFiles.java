package io.lem.runner.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes test configs line by line, so a test reads the line numbers it expects off its own source. */
final class ConfigFiles {

    static final String CONFIG_NAME = "config_name: test";
    static final String MODEL_NAME = "model_name: gpt2";

    private ConfigFiles() {
    }

    static Path write(Path dir, String name, String... lines) {
        Path file = dir.resolve(name);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
