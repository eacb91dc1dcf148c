package io.lem.cli.plugins;

import io.lem.api.plugin.PluginContext;
import io.lem.cli.HostName;
import io.lem.runner.plugins.PluginDiscovery;
import io.lem.runner.plugins.PluginRegistry;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Options that say where plugins come from and how they are configured. */
public final class PluginOptions {

    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = "Extra plugins directory (repeatable); searched before ./plugins and ~/.lem/plugins.")
    List<Path> pluginsDirs = new ArrayList<>();

    @Option(names = "--plugin-setting", paramLabel = "KEY=VALUE",
            description = "A plugin setting, e.g. rapl.root=/sys/class/powercap or nvml.library=/path/libnvidia-ml.so.1"
                    + " (repeatable).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--sampling-interval-ms", paramLabel = "MS", defaultValue = "100",
            description = "Power sampling interval (default: ${DEFAULT-VALUE}).")
    int samplingIntervalMs;

    public PluginRegistry discover() {
        if (samplingIntervalMs < 1) {
            throw new io.lem.cli.UserError("--sampling-interval-ms must be >= 1, was " + samplingIntervalMs);
        }
        PluginContext context = PluginContext.local(HostName.local())
                .withSamplingInterval(Duration.ofMillis(samplingIntervalMs))
                .withSettings(settings);
        return PluginDiscovery.discover(pluginsDirs, context);
    }
}
