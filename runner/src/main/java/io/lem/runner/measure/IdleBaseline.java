package io.lem.runner.measure;

import io.lem.api.energy.Measurement;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * Idle power measured before the run, per device. Results subtract {@code idle power × run duration} separately and
 * report both the gross and the net figure; this record only measures, it subtracts nothing.
 *
 * @param measurement    the {@value ProcessMeasurement#IDLE_BASELINE_WINDOW} window
 * @param idlePowerWatts mean power per device key over the window (joules / seconds); a device that could not be
 *                       measured over the whole window is absent
 */
public record IdleBaseline(Measurement measurement, Map<String, Double> idlePowerWatts) {

    public IdleBaseline {
        idlePowerWatts = Map.copyOf(idlePowerWatts);
    }

    /** Mean idle power of a device, empty when it was not measured. */
    public OptionalDouble idlePowerWatts(String deviceKey) {
        Double watts = idlePowerWatts.get(deviceKey);
        return watts == null ? OptionalDouble.empty() : OptionalDouble.of(watts);
    }

    /** What the device would have used idling for {@code durationNanos}: the amount results subtract. */
    public OptionalDouble idleEnergyJoules(String deviceKey, long durationNanos) {
        Double watts = idlePowerWatts.get(deviceKey);
        return watts == null ? OptionalDouble.empty() : OptionalDouble.of(watts * durationNanos / 1e9);
    }

    static IdleBaseline of(Measurement measurement) {
        Map<String, Double> watts = new java.util.LinkedHashMap<>();
        if (measurement.durationNanos() > 0) {
            double seconds = measurement.durationNanos() / 1e9;
            measurement.domains().forEach((key, domain) -> watts.put(key, domain.energyJoules() / seconds));
        }
        return new IdleBaseline(measurement, watts);
    }
}
