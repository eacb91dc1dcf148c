package io.lem.plugins.nvml;

/**
 * Why MIG is refused. NVML reports power and the energy counter only for a whole GPU; on a MIG-enabled GPU that figure
 * is shared by every MIG instance and every process on them, so this plugin cannot say what one process used. Rather
 * than report a number that looks per-process but is not, it refuses the source with this message.
 */
final class MigSupport {

    private MigSupport() {
    }

    static String refusal(String subject, String disableHint) {
        return subject + ": MIG instances are not supported by the nvml plugin: NVML reports power and energy only for"
                + " the whole GPU, shared by all its MIG instances and the processes on them, so GPU energy cannot be"
                + " attributed to this process; " + disableHint;
    }

    /** For a MIG-enabled GPU at NVML index {@code index}. */
    static String enabledOn(String subject, int index) {
        return refusal(subject + " has MIG mode enabled",
                "disable MIG (sudo nvidia-smi -i " + index + " -mig 0, then reset the GPU) or run on a GPU without MIG");
    }

    /** For a {@code MIG-…} entry of CUDA_VISIBLE_DEVICES. */
    static String visibleDevicesEntry(String entry) {
        return refusal("CUDA_VISIBLE_DEVICES names the MIG instance '" + entry + "'",
                "run on a whole GPU (a GPU index or GPU-… UUID in CUDA_VISIBLE_DEVICES) to measure GPU energy");
    }
}
