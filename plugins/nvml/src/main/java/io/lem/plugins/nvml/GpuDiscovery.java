package io.lem.plugins.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.event.DeviceInfo;
import io.lem.api.plugin.PluginException;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the GPUs this process owns and decides, per GPU, counter or sampled power. Refuses (throws) rather than measure
 * part of what the process uses: a visible GPU that cannot be measured, a MIG-enabled one, or no GPU at all.
 */
final class GpuDiscovery {

    private GpuDiscovery() {
    }

    /**
     * @param cudaVisibleDevices the variable, null when unset
     * @param forceSampling      sample power even where the counter works ({@code nvml.method=sampled-power})
     */
    static List<DiscoveredGpu> discover(Nvml nvml, String cudaVisibleDevices, boolean forceSampling)
            throws PluginException {
        int count = nvml.deviceCount();
        List<Pointer> handles = new ArrayList<>(count);
        List<String> uuids = new ArrayList<>(count);
        List<NvmlException> failures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            // A GPU the process may not touch (cgroups) fails here; that only matters if it is selected.
            try {
                Pointer handle = nvml.handle(i);
                handles.add(handle);
                uuids.add(nvml.uuid(handle, "GPU " + i));
                failures.add(null);
            } catch (NvmlException e) {
                handles.add(null);
                uuids.add(null);
                failures.add(e);
            }
        }
        VisibleDevices.Selection selection = VisibleDevices.select(cudaVisibleDevices, uuids);
        if (selection.indices().isEmpty()) {
            throw new PluginException(count == 0 ? "no GPU visible: NVML reports no GPU on this host; check nvidia-smi"
                    : "no GPU visible: " + selection.note());
        }
        List<DiscoveredGpu> gpus = new ArrayList<>();
        for (int index : selection.indices()) {
            if (failures.get(index) != null) {
                throw failures.get(index);
            }
            gpus.add(describe(nvml, index, handles.get(index), uuids.get(index), forceSampling));
        }
        return gpus;
    }

    private static DiscoveredGpu describe(Nvml nvml, int index, Pointer handle, String uuid, boolean forceSampling)
            throws PluginException {
        String subject = "GPU " + index + " (" + uuid + ")";
        IntByReference current = new IntByReference();
        int mig = nvml.migMode(handle, current, new IntByReference());
        if (mig == Nvml.SUCCESS && current.getValue() == NvmlLibrary.MIG_ENABLE) {
            throw new PluginException(MigSupport.enabledOn(subject, index));
        }
        if (mig != Nvml.SUCCESS && !NvmlError.unsupported(mig)) {
            throw nvml.error(subject, "nvmlDeviceGetMigMode", mig);
        }

        int power = nvml.powerUsage(handle, new IntByReference());
        int energy = forceSampling ? NvmlError.NOT_SUPPORTED.code() : nvml.totalEnergy(handle, new LongByReference());
        EnergyMethod method;
        if (energy == Nvml.SUCCESS) {
            method = EnergyMethod.COUNTER;
        } else if (!NvmlError.unsupported(energy)) {
            throw nvml.error(subject, "nvmlDeviceGetTotalEnergyConsumption", energy);
        } else if (power == Nvml.SUCCESS) {
            method = EnergyMethod.SAMPLED_POWER;
        } else {
            throw nvml.error(subject + ": " + (forceSampling ? "nvml.method=sampled-power" : "the energy counter is"
                    + " not supported") + " and power cannot be read", "nvmlDeviceGetPowerUsage", power);
        }

        String name = nvml.nameOrNull(handle);
        DeviceInfo info = new DeviceInfo("gpu:" + uuid, "gpu", name == null ? "NVIDIA GPU" : name, uuid,
                memoryTotal(nvml, handle));
        return new DiscoveredGpu(index, handle, info, method, power == Nvml.SUCCESS);
    }

    private static Long memoryTotal(Nvml nvml, Pointer handle) {
        Memory memory = new Memory(NvmlLibrary.MEMORY_STRUCT_SIZE);
        return nvml.memoryInfo(handle, memory) == Nvml.SUCCESS ? memory.getLong(0) : null;
    }
}
