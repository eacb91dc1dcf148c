package io.lem.plugins.carbon;

import io.lem.api.carbon.CarbonIntensityProvider;
import io.lem.api.carbon.GridIntensity;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The built-in carbon plugin: offline grid intensity by region code from {@link CarbonTable}, no network calls.
 *
 * <p>The SPI's look-ups take no context, so {@link #probe} is where the context's {@value CarbonTable#SETTING} is
 * applied: a successful probe makes its table current (and lists its regions in the reason); a failed probe says which
 * file and line is wrong and leaves the previous table in place. Without a probe the built-in table answers.
 */
public final class GridIntensityProvider implements CarbonIntensityProvider {

    private volatile CarbonTable table;

    /** For {@link java.util.ServiceLoader}: does no work; the built-in table loads on first use. */
    public GridIntensityProvider() {
    }

    /** A provider answering from {@code table}, e.g. one read with {@link CarbonTable#read}. */
    public GridIntensityProvider(CarbonTable table) {
        this.table = Objects.requireNonNull(table, "table");
    }

    @Override
    public String name() {
        return "carbon";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public int rank() {
        return 50;
    }

    @Override
    public String description() {
        return "grid carbon intensity by region code (offline table with source and year; override with "
                + CarbonTable.SETTING + ")";
    }

    @Override
    public Availability probe(PluginContext context) {
        try {
            CarbonTable loaded = CarbonTable.forContext(context);
            table = loaded;
            return new Availability(true, loaded.size() + " regions from " + loaded.description() + ": "
                    + loaded.regions().stream().map(GridIntensity::region).collect(Collectors.joining(" ")));
        } catch (IOException e) {
            return Availability.no("cannot read " + CarbonTable.SETTING + " file: " + e.getMessage());
        } catch (RuntimeException e) {
            return Availability.no(e.getMessage());
        }
    }

    @Override
    public Optional<GridIntensity> intensity(String region) {
        return current().find(region);
    }

    @Override
    public List<GridIntensity> regions() {
        return current().regions();
    }

    /** The table in use; {@link CarbonTable#require} on it gives the one-line "unknown region" error. */
    public CarbonTable current() {
        CarbonTable t = table;
        return t != null ? t : CarbonTable.builtIn();
    }
}
