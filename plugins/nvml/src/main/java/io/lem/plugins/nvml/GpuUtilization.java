package io.lem.plugins.nvml;

/**
 * NVML's utilization rates of one GPU over its last sample period (between 1/6 s and 1 s, by product).
 *
 * @param deviceKey     {@code gpu:<uuid>}
 * @param gpuPercent    percent of the time one or more kernels ran
 * @param memoryPercent percent of the time device memory was read or written
 */
public record GpuUtilization(String deviceKey, int gpuPercent, int memoryPercent) {
}
