package io.lem.api.event;

/**
 * A plugin active in a process.
 *
 * @param name    plugin name, e.g. {@code nvml}
 * @param version plugin version
 * @param kind    {@code energy}, {@code flops} or {@code carbon}
 */
public record PluginInfo(String name, String version, String kind) {
}
