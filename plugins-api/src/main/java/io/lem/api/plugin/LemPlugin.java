package io.lem.api.plugin;

/**
 * What every plugin declares. Implementations are found with {@link java.util.ServiceLoader} through one of the
 * kind-specific interfaces ({@code EnergySourceProvider}, {@code FlopsEstimatorProvider},
 * {@code CarbonIntensityProvider}); they need a public no-argument constructor and must not do work in it.
 */
public interface LemPlugin {

    /** Unique lower-case name used in configs and {@code --energy-plugins}, e.g. {@code nvml}. */
    String name();

    /** Version of the plugin, shown by {@code lem plugins list} and recorded in {@code ProcessStarted}. */
    String version();

    PluginKind kind();

    /** When two plugins can do the same job, the higher rank is chosen; built-ins use 0..100. */
    default int rank() {
        return 0;
    }

    /** One line saying what the plugin measures or estimates. */
    default String description() {
        return "";
    }

    /**
     * Can this plugin work here? Must not throw and must be quick (well under a second): check libraries, files and
     * permissions, not measure. An unavailable plugin says why and how to fix it.
     */
    Availability probe(PluginContext context);
}
