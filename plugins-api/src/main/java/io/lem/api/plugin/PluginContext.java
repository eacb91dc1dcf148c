package io.lem.api.plugin;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a plugin may know about where it runs.
 *
 * @param host             host name, used in device keys such as {@code cpu:<host>:package-0}
 * @param localRank        rank of this process on its host; host-level sources only run on local rank 0
 * @param samplingInterval power sampling interval (default 100 ms)
 * @param settings         plugin settings, keys prefixed with the plugin name, e.g. {@code rapl.root}
 * @param environment      the process environment (e.g. {@code CUDA_VISIBLE_DEVICES}); tests pass their own
 */
public record PluginContext(String host, int localRank, Duration samplingInterval, Map<String, String> settings,
                            Map<String, String> environment) {

    public static final Duration DEFAULT_SAMPLING_INTERVAL = Duration.ofMillis(100);

    public PluginContext {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(samplingInterval, "samplingInterval");
        if (samplingInterval.isZero() || samplingInterval.isNegative()) {
            throw new IllegalArgumentException("samplingInterval must be positive, was " + samplingInterval);
        }
        settings = Map.copyOf(settings);
        environment = Map.copyOf(environment);
    }

    /** Context of the current process: its host name, local rank 0, default interval, real environment. */
    public static PluginContext local(String host) {
        return new PluginContext(host, 0, DEFAULT_SAMPLING_INTERVAL, Map.of(), System.getenv());
    }

    public Optional<String> setting(String key) {
        return Optional.ofNullable(settings.get(key));
    }

    public Optional<String> env(String name) {
        return Optional.ofNullable(environment.get(name)).filter(v -> !v.isBlank());
    }

    public PluginContext withSettings(Map<String, String> newSettings) {
        return new PluginContext(host, localRank, samplingInterval, newSettings, environment);
    }

    public PluginContext withEnvironment(Map<String, String> newEnvironment) {
        return new PluginContext(host, localRank, samplingInterval, settings, newEnvironment);
    }

    public PluginContext withSamplingInterval(Duration interval) {
        return new PluginContext(host, localRank, interval, settings, environment);
    }

    public PluginContext withLocalRank(int rank) {
        return new PluginContext(host, rank, samplingInterval, settings, environment);
    }
}
