package io.lem.plugins.nvml;

import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;

/**
 * The plugin's settings.
 *
 * @param library       {@code nvml.library}: file name or path of NVML, default {@code libnvidia-ml.so.1}
 * @param forceSampling {@code nvml.method=sampled-power}: integrate sampled power even where the counter works
 *                      ({@code auto}, the default, prefers the counter)
 */
record NvmlSettings(String library, boolean forceSampling) {

    static final String LIBRARY = "nvml.library";
    static final String METHOD = "nvml.method";

    static NvmlSettings from(PluginContext context) throws PluginException {
        String library = context.setting(LIBRARY).map(String::strip).filter(s -> !s.isEmpty())
                .orElse(Nvml.DEFAULT_LIBRARY);
        String method = context.setting(METHOD).map(String::strip).orElse("auto");
        if (!method.equals("auto") && !method.equals("sampled-power")) {
            throw new PluginException(METHOD + " must be auto or sampled-power, was '" + method + "'");
        }
        return new NvmlSettings(library, method.equals("sampled-power"));
    }
}
