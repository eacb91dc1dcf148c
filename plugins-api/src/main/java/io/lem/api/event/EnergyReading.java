package io.lem.api.event;

/**
 * Energy a device used over a measurement window.
 *
 * @param deviceKey           device key, e.g. {@code gpu:<uuid>}, {@code cpu:<host>:package-0}, {@code dram:<host>:0}
 * @param method              {@code counter}, {@code sampled-power} or {@code model}
 * @param window              window name, e.g. {@code run}, {@code batch-3}, {@code idle-baseline}
 * @param energyJoules        energy since the window began (cumulative counter delta), joules
 * @param windowDurationNanos window length so far
 * @param uncertaintyJoules   estimated absolute uncertainty, null when unknown
 * @param source              plugin that measured it
 */
public record EnergyReading(Envelope envelope, String deviceKey, String method, String window, double energyJoules,
                            long windowDurationNanos, Double uncertaintyJoules, String source) implements LemEvent {
}
