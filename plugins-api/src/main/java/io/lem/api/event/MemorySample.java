package io.lem.api.event;

/**
 * Memory use of a device at the envelope's instant.
 *
 * @param deviceKey  device key
 * @param usedBytes  memory in use now
 * @param peakBytes  highest use seen by this process so far
 * @param totalBytes device capacity, null when unknown
 */
public record MemorySample(Envelope envelope, String deviceKey, long usedBytes, long peakBytes, Long totalBytes)
        implements LemEvent {
}
