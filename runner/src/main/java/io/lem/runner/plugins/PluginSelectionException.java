package io.lem.runner.plugins;

/** The requested plugins cannot be used; the message is one line for the user. Fails a run at start. */
public class PluginSelectionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PluginSelectionException(String message) {
        super(message);
    }
}
