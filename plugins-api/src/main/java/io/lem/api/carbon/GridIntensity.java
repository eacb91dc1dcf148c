package io.lem.api.carbon;

/**
 * Carbon intensity of a grid region.
 *
 * @param region          code, e.g. {@code FR}, {@code US-CAL}, {@code WORLD}
 * @param name            human-readable name
 * @param gramsCo2PerKwh  grams of CO2-equivalent per kWh
 * @param source          where the figure comes from
 * @param year            the year it describes
 */
public record GridIntensity(String region, String name, double gramsCo2PerKwh, String source, int year) {

    /** Emissions in kg CO2e of {@code energyJoules} drawn at this intensity through a facility with {@code pue}. */
    public double kgCo2(double energyJoules, double pue) {
        double kwh = energyJoules / 3.6e6;
        return kwh * pue * gramsCo2PerKwh / 1000.0;
    }
}
