package io.lem.api.energy;

/**
 * Memory of one device.
 *
 * @param deviceKey  device key
 * @param usedBytes  in use now
 * @param peakBytes  highest use seen since the source opened
 * @param totalBytes capacity, null when unknown
 */
public record MemoryReading(String deviceKey, long usedBytes, long peakBytes, Long totalBytes) {
}
