package io.lem.runner.plugins;

import io.lem.api.plugin.PluginKind;

import java.util.List;

/** A plugin name that no discovered plugin of that kind has, e.g. {@code unknown energy plugin 'nvmll'; known: nvml, rapl}. */
public final class UnknownPluginException extends PluginSelectionException {
    private static final long serialVersionUID = 1L;

    private final PluginKind kind;
    private final String name;
    private final List<String> known;

    public UnknownPluginException(PluginKind kind, String name, List<String> known) {
        super("unknown " + kind.label() + " plugin '" + name + "'; known: "
                + (known.isEmpty() ? "(none)" : String.join(", ", known)));
        this.kind = kind;
        this.name = name;
        this.known = List.copyOf(known);
    }

    public PluginKind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    /** Names of the discovered plugins of this kind, by rank (highest first) then name. */
    public List<String> known() {
        return known;
    }
}
