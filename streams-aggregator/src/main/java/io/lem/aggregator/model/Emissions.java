package io.lem.aggregator.model;

import io.lem.api.carbon.GridIntensity;
import io.lem.plugins.carbon.CarbonTable;
import io.lem.plugins.carbon.Pue;

/**
 * Emissions of an experiment: energy (kWh) × PUE × grid intensity (g CO2e/kWh) of the configured region, from an
 * offline table (no network). Region and PUE come from the experiment config ({@code energy.carbon_region},
 * {@code energy.pue}); defaults {@value #DEFAULT_REGION} and 1.0.
 *
 * @param region            the region code used (as configured, or the default)
 * @param pue               the PUE used; null when the configured value is invalid
 * @param intensity         the table row; null when the region is unknown
 * @param kgCo2             emissions in kg CO2e; null when they cannot be computed (see {@code unavailableReason})
 * @param unavailableReason why {@code kgCo2} is null; null when it is not
 */
public record Emissions(String region, Double pue, GridIntensity intensity, Double kgCo2, String unavailableReason) {

    public static final String DEFAULT_REGION = "WORLD";

    /**
     * @param regionSetting the config's region, null or blank for the default
     * @param pueSetting    the config's PUE as written, null for 1.0
     * @param energyJoules  the energy to attribute, null when nothing was measured
     * @param table         grid intensities
     */
    public static Emissions of(String regionSetting, String pueSetting, Double energyJoules, CarbonTable table) {
        String region = regionSetting == null || regionSetting.isBlank() ? DEFAULT_REGION : regionSetting.strip();
        Double pue;
        String problem = null;
        try {
            pue = pueSetting == null ? Pue.NONE : Pue.parse(pueSetting);
        } catch (IllegalArgumentException e) {
            pue = null;
            problem = e.getMessage();
        }
        GridIntensity intensity = table.find(region).orElse(null);
        if (intensity == null) {
            String message;
            try {
                table.require(region);
                message = "unknown carbon region '" + region + "'";
            } catch (IllegalArgumentException e) {
                message = e.getMessage();
            }
            problem = problem == null ? message : problem + "; " + message;
        }
        if (problem == null && energyJoules == null) {
            problem = "no energy was measured";
        }
        Double kg = problem == null ? intensity.kgCo2(energyJoules, pue) : null;
        return new Emissions(region, pue, intensity, kg, problem);
    }
}
