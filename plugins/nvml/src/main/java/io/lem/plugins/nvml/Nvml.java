package io.lem.plugins.nvml;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

import java.nio.charset.StandardCharsets;

/**
 * A loaded NVML library. Checked calls (used while enumerating) throw {@link NvmlException} with a clear message; raw
 * calls (used per sample) return the {@code nvmlReturn_t} and allocate nothing. A symbol missing from an old driver
 * becomes {@code NVML_ERROR_FUNCTION_NOT_FOUND} instead of an {@link UnsatisfiedLinkError}. Thread-safe, as NVML is.
 */
final class Nvml {

    static final String DEFAULT_LIBRARY = "libnvidia-ml.so.1";
    static final int SUCCESS = NvmlError.SUCCESS.code();
    private static final int FUNCTION_NOT_FOUND = NvmlError.FUNCTION_NOT_FOUND.code();

    private final NvmlLibrary lib;

    private Nvml(NvmlLibrary lib) {
        this.lib = lib;
    }

    /** Loads (dlopens) the library; nothing is loaded before this is called. */
    static Nvml load(String library) throws NvmlException {
        try {
            return new Nvml(Native.load(library, NvmlLibrary.class));
        } catch (LinkageError e) {
            throw new NvmlException(NvmlError.LIBRARY_NOT_FOUND.code(), "cannot load NVML from '" + library + "' ("
                    + firstLine(e.getMessage()) + "): " + NvmlError.LIBRARY_NOT_FOUND.fix(), e);
        }
    }

    void init() throws NvmlException {
        int rc;
        try {
            rc = lib.nvmlInit_v2();
        } catch (UnsatisfiedLinkError e) {
            rc = FUNCTION_NOT_FOUND;
        }
        if (rc != SUCCESS) {
            throw error("", "nvmlInit_v2", rc);
        }
    }

    /** Balances one successful {@link #init()}; NVML counts them. Never throws. */
    void shutdown() {
        try {
            lib.nvmlShutdown();
        } catch (RuntimeException | LinkageError ignored) {
            // nothing useful to do: the process goes on without NVML
        }
    }

    int deviceCount() throws NvmlException {
        IntByReference count = new IntByReference();
        int rc;
        try {
            rc = lib.nvmlDeviceGetCount_v2(count);
        } catch (UnsatisfiedLinkError e) {
            rc = FUNCTION_NOT_FOUND;
        }
        check("", "nvmlDeviceGetCount_v2", rc);
        return count.getValue();
    }

    Pointer handle(int index) throws NvmlException {
        PointerByReference handle = new PointerByReference();
        int rc;
        try {
            rc = lib.nvmlDeviceGetHandleByIndex_v2(index, handle);
        } catch (UnsatisfiedLinkError e) {
            rc = FUNCTION_NOT_FOUND;
        }
        check("GPU " + index, "nvmlDeviceGetHandleByIndex_v2", rc);
        return handle.getValue();
    }

    String uuid(Pointer device, String subject) throws NvmlException {
        byte[] buffer = new byte[NvmlLibrary.UUID_BUFFER_SIZE];
        int rc;
        try {
            rc = lib.nvmlDeviceGetUUID(device, buffer, buffer.length);
        } catch (UnsatisfiedLinkError e) {
            rc = FUNCTION_NOT_FOUND;
        }
        check(subject, "nvmlDeviceGetUUID", rc);
        return cString(buffer);
    }

    /** The model name, or null when NVML cannot tell. */
    String nameOrNull(Pointer device) {
        byte[] buffer = new byte[NvmlLibrary.NAME_BUFFER_SIZE];
        try {
            return lib.nvmlDeviceGetName(device, buffer, buffer.length) == SUCCESS ? cString(buffer) : null;
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    int migMode(Pointer device, IntByReference current, IntByReference pending) {
        try {
            return lib.nvmlDeviceGetMigMode(device, current, pending);
        } catch (UnsatisfiedLinkError e) {
            return FUNCTION_NOT_FOUND;
        }
    }

    /** Fills {@code memory} ({@link NvmlLibrary#MEMORY_STRUCT_SIZE} bytes). */
    int memoryInfo(Pointer device, Memory memory) {
        try {
            return lib.nvmlDeviceGetMemoryInfo(device, memory);
        } catch (UnsatisfiedLinkError e) {
            return FUNCTION_NOT_FOUND;
        }
    }

    int totalEnergy(Pointer device, LongByReference millijoules) {
        try {
            return lib.nvmlDeviceGetTotalEnergyConsumption(device, millijoules);
        } catch (UnsatisfiedLinkError e) {
            return FUNCTION_NOT_FOUND;
        }
    }

    int powerUsage(Pointer device, IntByReference milliwatts) {
        try {
            return lib.nvmlDeviceGetPowerUsage(device, milliwatts);
        } catch (UnsatisfiedLinkError e) {
            return FUNCTION_NOT_FOUND;
        }
    }

    /** Fills {@code rates} ({@link NvmlLibrary#UTILIZATION_STRUCT_SIZE} bytes). */
    int utilization(Pointer device, Memory rates) {
        try {
            return lib.nvmlDeviceGetUtilizationRates(device, rates);
        } catch (UnsatisfiedLinkError e) {
            return FUNCTION_NOT_FOUND;
        }
    }

    /** NVML's own text for a code, or null. */
    String errorString(int code) {
        try {
            return lib.nvmlErrorString(code);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Message for a failed call, e.g. {@code GPU 0 (GPU-…): nvmlDeviceGetPowerUsage returned …: fix}. */
    String describe(String subject, String function, int code) {
        String what = NvmlError.describe(function, code, errorString(code));
        return subject.isEmpty() ? what : subject + ": " + what;
    }

    NvmlException error(String subject, String function, int code) {
        return new NvmlException(code, describe(subject, function, code));
    }

    private void check(String subject, String function, int code) throws NvmlException {
        if (code != SUCCESS) {
            throw error(subject, function, code);
        }
    }

    private static String cString(byte[] buffer) {
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) {
            end++;
        }
        return new String(buffer, 0, end, StandardCharsets.UTF_8);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
