package io.lem.runner.plugins;

import io.lem.api.carbon.CarbonIntensityProvider;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.event.PluginInfo;
import io.lem.api.flops.FlopsEstimatorProvider;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.LemPlugin;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginKind;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded plugin, its metadata read once at discovery (plugin code is not trusted to answer the same twice, or at
 * all), and whether it can work here.
 *
 * @param name         unique name within its kind
 * @param version      the plugin's version ({@code unknown} when it gives none)
 * @param kind         energy, flops or carbon
 * @param rank         higher wins when two plugins do the same job
 * @param description  one line
 * @param source       {@value #BUILT_IN} or the absolute path of its jar or directory
 * @param scope        energy plugins only: where it runs; null for other kinds
 * @param fallbackFor  energy plugins only: the source it stands in for, or null
 * @param availability result of {@code probe}; a probe that threw is "probe failed: ..."
 * @param plugin       the provider instance
 */
public record DiscoveredPlugin(String name, String version, PluginKind kind, int rank, String description,
                               String source, Scope scope, String fallbackFor, Availability availability,
                               LemPlugin plugin) {

    /** The {@link #source()} of plugins found on the application class path. */
    public static final String BUILT_IN = "built-in";

    public DiscoveredPlugin {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(availability, "availability");
        Objects.requireNonNull(plugin, "plugin");
        if (kind == PluginKind.ENERGY && scope == null) {
            throw new IllegalArgumentException("energy plugin '" + name + "' must have a scope");
        }
    }

    /**
     * Reads the metadata of a provider and probes it: for tests and for code that builds a registry itself.
     *
     * @throws IllegalArgumentException when the metadata is invalid (the message says why)
     */
    public static DiscoveredPlugin of(LemPlugin plugin, String source, PluginContext context) {
        PluginDiscovery.Metadata m;
        try {
            m = PluginDiscovery.readMetadata(plugin, null);
        } catch (PluginDiscovery.InvalidPluginException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new DiscoveredPlugin(m.name(), m.version(), m.kind(), m.rank(), m.description(), source, m.scope(),
                m.fallbackFor(), PluginDiscovery.probe(plugin, context), plugin);
    }

    public boolean builtIn() {
        return BUILT_IN.equals(source);
    }

    public boolean available() {
        return availability.available();
    }

    /** The jar or directory it came from; empty for built-ins. */
    public Optional<Path> path() {
        return builtIn() ? Optional.empty() : Optional.of(Path.of(source));
    }

    /** {@code available} or {@code unavailable: <reason>}, for listings. */
    public String status() {
        return available() ? "available" : "unavailable: " + availability.reason();
    }

    /** The loader of the plugin's classes: a {@link PluginClassLoader} unless built in. */
    public ClassLoader classLoader() {
        return plugin.getClass().getClassLoader();
    }

    /** For {@code ProcessStarted.plugins}. */
    public PluginInfo info() {
        return new PluginInfo(name, version, kind.label());
    }

    /** Probes again (e.g. {@code lem plugins probe}) with the same safety as discovery. */
    public DiscoveredPlugin reprobe(PluginContext context) {
        return new DiscoveredPlugin(name, version, kind, rank, description, source, scope, fallbackFor,
                PluginDiscovery.probe(plugin, context), plugin);
    }

    public EnergySourceProvider energy() {
        return as(EnergySourceProvider.class);
    }

    public FlopsEstimatorProvider flops() {
        return as(FlopsEstimatorProvider.class);
    }

    public CarbonIntensityProvider carbon() {
        return as(CarbonIntensityProvider.class);
    }

    private <T> T as(Class<T> type) {
        if (!type.isInstance(plugin)) {
            throw new IllegalStateException("plugin '" + name + "' is a " + kind.label() + " plugin, not a "
                    + type.getSimpleName());
        }
        return type.cast(plugin);
    }
}
