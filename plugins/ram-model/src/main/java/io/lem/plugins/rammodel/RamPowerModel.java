package io.lem.plugins.rammodel;

import io.lem.api.plugin.PluginContext;

import java.util.Optional;

/**
 * Constant RAM power: watts per GiB of installed memory, or a total the user knows.
 *
 * <p>Default 3 W per 8 GB = 0.375 W/GiB: CodeCarbon v2's ratio (docs "Methodology", RAM), which cites Crucial's
 * "How much power does memory use?". Memory size is counted in GiB (2^30 bytes), as CodeCarbon reports it.
 *
 * @param totalBytes    installed memory the OS sees
 * @param wattsPerGib   {@code ram-model.watts-per-gb}
 * @param overrideWatts {@code ram-model.watts}: total RAM power, replacing the per-GB figure; null when unset
 */
record RamPowerModel(long totalBytes, double wattsPerGib, Double overrideWatts) {

    static final double DEFAULT_WATTS_PER_GIB = 3.0 / 8.0;
    static final String WATTS_PER_GB = "ram-model.watts-per-gb";
    static final String WATTS = "ram-model.watts";
    /**
     * A conventional ±50% band, not a statistical bound. Power follows the number and kind of DIMMs more than their
     * size: the linear model fits desktops with 4–8 GB modules and overestimates servers with 32–128 GB RDIMMs, by
     * several times at terabyte scale (why CodeCarbon v3 moved to ~5 W per DIMM). Set {@code ram-model.watts} there.
     */
    static final double RELATIVE_UNCERTAINTY = 0.5;

    private static final double BYTES_PER_GIB = 1024.0 * 1024 * 1024;

    /** Throws IllegalArgumentException naming the bad setting. */
    static RamPowerModel of(long totalBytes, PluginContext context) {
        double perGib = positive(context.setting(WATTS_PER_GB), WATTS_PER_GB).orElse(DEFAULT_WATTS_PER_GIB);
        Double override = positive(context.setting(WATTS), WATTS).orElse(null);
        return new RamPowerModel(totalBytes, perGib, override);
    }

    double gib() {
        return totalBytes / BYTES_PER_GIB;
    }

    double watts() {
        return overrideWatts != null ? overrideWatts : wattsPerGib * gib();
    }

    String describe() {
        return overrideWatts != null ? WATTS + " = " + overrideWatts + " W"
                : String.format("%.3f W/GiB × %.1f GiB = %.2f W", wattsPerGib, gib(), watts());
    }

    private static Optional<Double> positive(Optional<String> value, String key) {
        return value.map(v -> {
            double d;
            try {
                d = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number, was '" + v + "'");
            }
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(key + " must be positive, was " + v);
            }
            return d;
        });
    }
}
