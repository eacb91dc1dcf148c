package io.lem.runner.measure;

/**
 * A selected energy plugin whose source could not be opened in this process: skipped, never fatal.
 *
 * @param plugin  plugin name
 * @param version plugin version
 * @param reason  one line: the plugin's message (e.g. {@code no NVIDIA driver}) or the exception it threw
 */
public record UnopenedSource(String plugin, String version, String reason) {

    /** {@code <plugin>: <reason>} */
    @Override
    public String toString() {
        return plugin + ": " + reason;
    }
}
