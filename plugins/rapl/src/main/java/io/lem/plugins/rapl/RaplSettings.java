package io.lem.plugins.rapl;

import io.lem.api.plugin.PluginContext;

import java.nio.file.Path;

/**
 * Settings of the rapl plugin.
 *
 * @param root                powercap root, setting {@code rapl.root}, default {@code /sys/class/powercap}
 * @param maxPlausibleWatts   the most one domain can draw, setting {@code rapl.max-plausible-watts}, default 1000 W
 *                            (above any single socket shipping today: 500 W parts exist); sets how often the
 *                            background reader must look so that no wrap-around is missed
 */
record RaplSettings(Path root, double maxPlausibleWatts) {

    static final String ROOT = "rapl.root";
    static final String MAX_PLAUSIBLE_WATTS = "rapl.max-plausible-watts";
    static final Path DEFAULT_ROOT = Path.of("/sys/class/powercap");
    static final double DEFAULT_MAX_PLAUSIBLE_WATTS = 1000;

    /** Throws IllegalArgumentException with a readable message on a bad value. */
    static RaplSettings from(PluginContext context) {
        Path root = context.setting(ROOT).map(Path::of).orElse(DEFAULT_ROOT);
        double watts = context.setting(MAX_PLAUSIBLE_WATTS).map(v -> {
            try {
                return Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(MAX_PLAUSIBLE_WATTS + " must be a number of watts, was '" + v + "'");
            }
        }).orElse(DEFAULT_MAX_PLAUSIBLE_WATTS);
        if (!(watts > 0) || Double.isInfinite(watts)) {
            throw new IllegalArgumentException(MAX_PLAUSIBLE_WATTS + " must be positive, was " + watts);
        }
        return new RaplSettings(root, watts);
    }
}
