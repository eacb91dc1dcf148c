package io.lem.plugins.cpumodel;

import io.lem.api.plugin.PluginContext;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Settings of the cpu-model plugin.
 *
 * @param tdpWatts       {@code cpu-model.tdp-watts}: TDP per package, overriding the table
 * @param wattsPerThread {@code cpu-model.watts-per-thread}: for a CPU not in the table, default 4 (CodeCarbon's)
 */
record CpuModelSettings(OptionalDouble tdpWatts, double wattsPerThread) {

    static final String TDP_WATTS = "cpu-model.tdp-watts";
    static final String WATTS_PER_THREAD = "cpu-model.watts-per-thread";

    /** Throws IllegalArgumentException naming the bad setting. */
    static CpuModelSettings from(PluginContext context) {
        OptionalDouble tdp = positive(context.setting(TDP_WATTS), TDP_WATTS)
                .map(OptionalDouble::of).orElse(OptionalDouble.empty());
        double perThread = positive(context.setting(WATTS_PER_THREAD), WATTS_PER_THREAD)
                .orElse(TdpTable.DEFAULT_WATTS_PER_THREAD);
        return new CpuModelSettings(tdp, perThread);
    }

    private static Optional<Double> positive(Optional<String> value, String key) {
        return value.map(v -> {
            double d;
            try {
                d = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number of watts, was '" + v + "'");
            }
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(key + " must be positive, was " + v);
            }
            return d;
        });
    }
}
