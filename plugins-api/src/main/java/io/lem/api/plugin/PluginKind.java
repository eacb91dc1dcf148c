package io.lem.api.plugin;

/** The three kinds of plugins. */
public enum PluginKind {
    ENERGY("energy"), FLOPS("flops"), CARBON("carbon");

    private final String label;

    PluginKind(String label) {
        this.label = label;
    }

    /** Lower-case name as written in events, configs and listings. */
    public String label() {
        return label;
    }
}
