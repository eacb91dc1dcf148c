package io.lem.runner.model.safetensors;

import java.io.IOException;

/** A safetensors file or shard index that cannot be read; the message names the file and, where known, the tensor. */
public class SafetensorsFormatException extends IOException {

    public SafetensorsFormatException(String message) {
        super(message);
    }

    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
