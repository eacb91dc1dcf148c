package io.lem.api.energy;

import io.lem.api.plugin.LemPlugin;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;
import io.lem.api.plugin.PluginKind;

/** A plugin that measures energy; register it in {@code META-INF/services/io.lem.api.energy.EnergySourceProvider}. */
public interface EnergySourceProvider extends LemPlugin {

    @Override
    default PluginKind kind() {
        return PluginKind.ENERGY;
    }

    /** Host-level meters run once per host; GPU meters in every process for its own devices. */
    Scope scope();

    /**
     * The name of a source this one replaces when both are available (e.g. {@code cpu-model} stands in for
     * {@code rapl}); null when it replaces nothing.
     */
    default String fallbackFor() {
        return null;
    }

    /** Opens the source; only called after {@link #probe} said it is available. */
    EnergySource open(PluginContext context) throws PluginException;
}
