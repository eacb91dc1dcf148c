package io.lem.api.plugin;

/** A plugin could not start or read; the message says what failed and, where possible, how to fix it. */
public class PluginException extends Exception {
    private static final long serialVersionUID = 1L;

    public PluginException(String message) {
        super(message);
    }

    public PluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
