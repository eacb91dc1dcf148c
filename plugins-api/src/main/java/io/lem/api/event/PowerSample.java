package io.lem.api.event;

/**
 * One instantaneous power reading of a device; the sample time is the envelope's {@code monoNanos}.
 *
 * @param deviceKey  device key, e.g. {@code gpu:<uuid>}
 * @param powerWatts power draw in watts
 * @param source     plugin that took it
 */
public record PowerSample(Envelope envelope, String deviceKey, double powerWatts, String source) implements LemEvent {
}
