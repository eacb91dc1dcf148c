package io.lem.plugins.nvml;

import com.sun.jna.Pointer;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.event.DeviceInfo;

/**
 * A visible GPU and how it will be measured.
 *
 * @param index         NVML index
 * @param handle        {@code nvmlDevice_t}
 * @param info          key {@code gpu:<uuid>}, name, UUID, memory
 * @param method        {@code counter} when the total-energy counter works, else {@code sampled-power}
 * @param powerReadable whether {@code nvmlDeviceGetPowerUsage} works (always true for sampled-power)
 */
record DiscoveredGpu(int index, Pointer handle, DeviceInfo info, EnergyMethod method, boolean powerReadable) {
}
