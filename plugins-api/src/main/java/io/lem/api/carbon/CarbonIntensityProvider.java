package io.lem.api.carbon;

import io.lem.api.plugin.LemPlugin;
import io.lem.api.plugin.PluginKind;

import java.util.List;
import java.util.Optional;

/** Grid carbon intensity by region; register in {@code META-INF/services/io.lem.api.carbon.CarbonIntensityProvider}. */
public interface CarbonIntensityProvider extends LemPlugin {

    @Override
    default PluginKind kind() {
        return PluginKind.CARBON;
    }

    /** Intensity of a region code (case-insensitive), empty when unknown. Offline: no network calls. */
    Optional<GridIntensity> intensity(String region);

    /** Every region this provider knows. */
    List<GridIntensity> regions();
}
