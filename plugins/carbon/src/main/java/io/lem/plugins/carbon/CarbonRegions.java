package io.lem.plugins.carbon;

import io.lem.api.carbon.GridIntensity;

/** Look-ups in the built-in table for callers that validate a config's region before any plugin is probed. */
public final class CarbonRegions {

    private CarbonRegions() {
    }

    /**
     * The built-in row of {@code code} (case-insensitive), or an {@link IllegalArgumentException} whose one-line
     * message lists close matches and says how to list all regions.
     */
    public static GridIntensity require(String code) {
        return CarbonTable.builtIn().require(code);
    }

    /** Whether the built-in table knows {@code code}. */
    public static boolean known(String code) {
        return CarbonTable.builtIn().find(code).isPresent();
    }
}
