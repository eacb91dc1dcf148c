package io.lem.runner.plugins;

import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.event.PluginInfo;

import java.util.List;

/**
 * The energy sources one process runs, and why each other energy plugin does not.
 *
 * @param selected by rank (highest first), then name: the order for {@link io.lem.api.energy.EnergyMonitor}
 * @param notRun   every other discovered energy plugin with the reason it does not run here
 */
public record EnergySelection(List<DiscoveredPlugin> selected, List<NotRun> notRun) {

    /** A plugin that does not run in this process, and why ({@code excluded}, {@code fallback for rapl, ...}). */
    public record NotRun(DiscoveredPlugin plugin, String reason) {
        @Override
        public String toString() {
            return plugin.name() + ": " + reason;
        }
    }

    public EnergySelection {
        selected = List.copyOf(selected);
        notRun = List.copyOf(notRun);
    }

    /** The providers to open, in order. */
    public List<EnergySourceProvider> providers() {
        return selected.stream().map(DiscoveredPlugin::energy).toList();
    }

    public List<String> names() {
        return selected.stream().map(DiscoveredPlugin::name).toList();
    }

    /** For {@code ProcessStarted.plugins}. */
    public List<PluginInfo> infos() {
        return selected.stream().map(DiscoveredPlugin::info).toList();
    }
}
