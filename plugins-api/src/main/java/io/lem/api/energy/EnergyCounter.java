package io.lem.api.energy;

import java.util.Objects;

/**
 * Cumulative energy of one device since its source was opened.
 *
 * @param deviceKey         e.g. {@code gpu:<uuid>}, {@code cpu:<host>:package-0}, {@code dram:<host>:0}
 * @param method            how it was obtained
 * @param energyJoules      joules since the source opened; never decreases (sources handle wrap-around and resets)
 * @param uncertaintyJoules absolute uncertainty of {@code energyJoules}, null when unknown. For {@code counter} the
 *                          error of one read (resolution); for {@code sampled-power} and {@code model} the error
 *                          accumulated since open, so that a window's share is the difference
 */
public record EnergyCounter(String deviceKey, EnergyMethod method, double energyJoules, Double uncertaintyJoules) {
    public EnergyCounter {
        Objects.requireNonNull(deviceKey, "deviceKey");
        Objects.requireNonNull(method, "method");
        if (!(energyJoules >= 0) || Double.isInfinite(energyJoules)) {
            throw new IllegalArgumentException(deviceKey + ": energyJoules must be finite and >= 0, was " + energyJoules);
        }
    }
}
