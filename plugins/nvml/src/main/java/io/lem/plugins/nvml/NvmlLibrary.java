package io.lem.plugins.nvml;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of NVML's C API ({@code nvml.h}) this plugin uses, mapped by JNA. Every function returns an
 * {@code nvmlReturn_t} ({@link NvmlError}); {@code nvmlDevice_t} is an opaque pointer. Public only because JNA builds a
 * proxy of it; use {@link Nvml}, which checks return codes and survives missing symbols.
 */
public interface NvmlLibrary extends Library {

    /** {@code NVML_DEVICE_UUID_V2_BUFFER_SIZE}. */
    int UUID_BUFFER_SIZE = 96;
    /** {@code NVML_DEVICE_NAME_V2_BUFFER_SIZE}. */
    int NAME_BUFFER_SIZE = 96;
    /** {@code sizeof(nvmlMemory_t)}: unsigned long long total, free, used. */
    int MEMORY_STRUCT_SIZE = 24;
    /** {@code sizeof(nvmlUtilization_t)}: unsigned int gpu, memory. */
    int UTILIZATION_STRUCT_SIZE = 8;
    /** {@code NVML_DEVICE_MIG_ENABLE}. */
    int MIG_ENABLE = 1;

    int nvmlInit_v2();

    int nvmlShutdown();

    String nvmlErrorString(int result);

    int nvmlDeviceGetCount_v2(IntByReference deviceCount);

    int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

    int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

    int nvmlDeviceGetName(Pointer device, byte[] name, int length);

    /** Fills an {@code nvmlMemory_t}. */
    int nvmlDeviceGetMemoryInfo(Pointer device, Pointer memory);

    /** Millijoules since the driver was (re)loaded; Volta or newer. */
    int nvmlDeviceGetTotalEnergyConsumption(Pointer device, LongByReference energy);

    /** Milliwatts. */
    int nvmlDeviceGetPowerUsage(Pointer device, IntByReference power);

    /** Fills an {@code nvmlUtilization_t} (percent of the last sample period). */
    int nvmlDeviceGetUtilizationRates(Pointer device, Pointer utilization);

    int nvmlDeviceGetMigMode(Pointer device, IntByReference currentMode, IntByReference pendingMode);
}
