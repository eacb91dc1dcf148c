package io.lem.runner.config;

import java.util.List;

/**
 * {@code energy}: which meters run and how their readings become emissions.
 *
 * @param plugins             estimator plugins to use by name; empty means every available one
 * @param excludePlugins      plugins not to use, applied after {@code plugins}
 * @param samplingIntervalMs  power sampling period, >= 1 (default 100)
 * @param idleBaselineSeconds idle power is measured this long before the run and reported separately, >= 0
 *                            (default 0 = off)
 * @param carbonRegion        grid region for carbon intensity, e.g. {@code FR}, {@code US-CAL} (default WORLD)
 * @param pue                 data-centre power usage effectiveness, >= 1.0 (default 1.0)
 */
public record EnergySettings(List<String> plugins, List<String> excludePlugins, int samplingIntervalMs,
                             double idleBaselineSeconds, String carbonRegion, double pue) {

    public static final String DEFAULT_REGION = "WORLD";

    public EnergySettings {
        plugins = List.copyOf(plugins);
        excludePlugins = List.copyOf(excludePlugins);
    }
}
