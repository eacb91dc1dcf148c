package io.lem.plugins.nvml;

import io.lem.api.plugin.PluginException;

/** An NVML call failed; the message names the call, the code and the fix. */
final class NvmlException extends PluginException {
    private static final long serialVersionUID = 1L;

    private final int code;

    NvmlException(int code, String message) {
        super(message);
        this.code = code;
    }

    NvmlException(int code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The {@code nvmlReturn_t}. */
    int code() {
        return code;
    }
}
