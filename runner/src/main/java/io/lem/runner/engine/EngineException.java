package io.lem.runner.engine;

/**
 * The engine refuses a model or an option: an unsupported {@code model_type}, bfloat16, quantization, a device that
 * does not exist, a checkpoint whose tensors do not match its config. The message is one line a user can act on.
 */
public class EngineException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
