package io.lem.plugins.nvml;

/** NVML's return codes ({@code nvmlReturn_t}) with what a user can do about each. */
enum NvmlError {
    SUCCESS(0, ""),
    UNINITIALIZED(1, "NVML was used before nvmlInit; this is a bug in lem, please report it"),
    INVALID_ARGUMENT(2, "NVML rejected an argument; the GPU may have gone away since it was enumerated"),
    NOT_SUPPORTED(3, "this GPU or driver does not offer the query (the energy counter needs Volta or newer)"),
    NO_PERMISSION(4, "run as a user allowed to query the GPU (read/write access to /dev/nvidiactl and /dev/nvidia*; "
            + "in a container, pass the GPU through, e.g. --gpus), or ask an administrator"),
    ALREADY_INITIALIZED(5, "NVML was already initialized"),
    NOT_FOUND(6, "the GPU was not found; check nvidia-smi"),
    INSUFFICIENT_SIZE(7, "a buffer was too small; this is a bug in lem, please report it"),
    INSUFFICIENT_POWER(8, "the GPU's external power cables are not properly attached"),
    DRIVER_NOT_LOADED(9, "the NVIDIA kernel driver is not loaded; make nvidia-smi work first (e.g. sudo modprobe nvidia)"),
    TIMEOUT(10, "the driver timed out; retry, and check nvidia-smi and dmesg"),
    IRQ_ISSUE(11, "the kernel saw an interrupt problem with the GPU; check dmesg"),
    LIBRARY_NOT_FOUND(12, "NVIDIA driver not installed or libnvidia-ml.so.1 not on the library path; "
            + "set nvml.library to the library's full path"),
    FUNCTION_NOT_FOUND(13, "the installed NVML is too old for this call; update the NVIDIA driver"),
    CORRUPTED_INFOROM(14, "the GPU's infoROM is corrupted; contact the hardware vendor"),
    GPU_IS_LOST(15, "the GPU fell off the bus or became inaccessible; check dmesg, then reset the GPU or reboot"),
    RESET_REQUIRED(16, "the GPU needs a reset (nvidia-smi -r) or a reboot"),
    OPERATING_SYSTEM(17, "the operating system or a cgroup blocked access to the GPU; in a container, pass the GPU through"),
    LIB_RM_VERSION_MISMATCH(18, "NVML and the loaded kernel driver differ in version (driver updated without reboot); "
            + "reboot or reload the nvidia kernel modules"),
    IN_USE(19, "the GPU is busy with another operation; retry later"),
    MEMORY(20, "the driver ran out of memory"),
    NO_DATA(21, "NVML has no data yet; retry later"),
    VGPU_ECC_NOT_SUPPORTED(22, "not available on this vGPU while ECC is enabled"),
    INSUFFICIENT_RESOURCES(23, "the driver ran out of resources"),
    FREQ_NOT_SUPPORTED(24, "the frequency is not supported"),
    ARGUMENT_VERSION_MISMATCH(25, "the driver does not know this structure version; update the NVIDIA driver"),
    DEPRECATED(26, "the installed driver no longer offers this call"),
    NOT_READY(27, "the system is not ready; retry later"),
    GPU_NOT_FOUND(28, "no GPU was found; check nvidia-smi"),
    INVALID_STATE(29, "the GPU is in an invalid state; check nvidia-smi"),
    UNKNOWN(999, "an internal driver error occurred; check nvidia-smi and dmesg");

    private final int code;
    private final String fix;

    NvmlError(int code, String fix) {
        this.code = code;
        this.fix = fix;
    }

    int code() {
        return code;
    }

    /** What to do about it, one clause. */
    String fix() {
        return fix;
    }

    /** The C name, e.g. {@code NVML_ERROR_NO_PERMISSION}. */
    String cName() {
        return this == SUCCESS ? "NVML_SUCCESS" : "NVML_ERROR_" + name();
    }

    static NvmlError of(int code) {
        for (NvmlError e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }

    /** True for the codes that mean "this device cannot do that" rather than "something is wrong". */
    static boolean unsupported(int code) {
        return code == NOT_SUPPORTED.code || code == FUNCTION_NOT_FOUND.code;
    }

    /**
     * E.g. {@code nvmlInit_v2 returned NVML_ERROR_NO_PERMISSION (4, "Insufficient Permissions"): run as a user ...}.
     *
     * @param nvmlText what {@code nvmlErrorString} said, or null
     */
    static String describe(String function, int code, String nvmlText) {
        NvmlError known = of(code);
        String name = known == null ? "NVML error" : known.cName();
        String text = nvmlText == null || nvmlText.isBlank() ? "" : ", \"" + nvmlText + "\"";
        String fix = known == null ? "unknown to this plugin; check nvidia-smi and the driver version" : known.fix;
        return function + " returned " + name + " (" + code + text + "): " + fix;
    }
}
