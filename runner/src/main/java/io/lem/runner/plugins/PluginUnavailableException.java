package io.lem.runner.plugins;

import io.lem.api.plugin.PluginKind;

/** A plugin asked for by name that cannot work here, e.g. {@code energy plugin 'rapl' is not available: <reason>}. */
public final class PluginUnavailableException extends PluginSelectionException {
    private static final long serialVersionUID = 1L;

    private final PluginKind kind;
    private final String name;
    private final String reason;

    public PluginUnavailableException(PluginKind kind, String name, String reason) {
        super(kind.label() + " plugin '" + name + "' is not available: " + reason);
        this.kind = kind;
        this.name = name;
        this.reason = reason;
    }

    public PluginKind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    /** What the plugin's probe said. */
    public String reason() {
        return reason;
    }
}
