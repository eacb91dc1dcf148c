package io.lem.api.event;

/**
 * A device a process measures or runs on.
 *
 * @param key              device key as used by energy readings, e.g. {@code gpu:<uuid>}, {@code cpu:<host>:package-0}
 * @param kind             {@code gpu}, {@code cpu} or {@code dram}
 * @param name             human-readable model name, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param uuid             vendor UUID when the device has one, else null
 * @param memoryTotalBytes total device memory, null when unknown
 */
public record DeviceInfo(String key, String kind, String name, String uuid, Long memoryTotalBytes) {
}
