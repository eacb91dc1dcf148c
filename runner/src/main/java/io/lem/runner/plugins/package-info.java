/**
 * Plugin discovery, isolation and selection.
 *
 * <h2>Where plugins come from</h2>
 * <ul>
 *   <li><b>Built-ins</b>: providers registered in {@code META-INF/services/io.lem.api.*} on lem's own class path
 *       (source {@value io.lem.runner.plugins.DiscoveredPlugin#BUILT_IN}).</li>
 *   <li><b>External plugins</b> in the plugins directories, searched in this order: every {@code --plugins-dir},
 *       {@code ./plugins}, then {@code $LEM_HOME/plugins} (or {@code ~/.lem/plugins} without {@code LEM_HOME}); see
 *       {@link io.lem.runner.plugins.PluginDirectories}.</li>
 * </ul>
 *
 * <h2>Layouts of an external plugin (each entry of a plugins directory)</h2>
 * <ul>
 *   <li>{@code plugins/foo.jar}: a jar directly in the directory is one plugin (shade its dependencies into it).</li>
 *   <li>{@code plugins/foo/}: a subdirectory is one plugin whose class path is the directory itself (an exploded
 *       plugin: {@code META-INF/services/...} and classes at its root) followed by every {@code *.jar} beneath it
 *       (any depth up to 8, sorted by path), all in ONE class loader. So {@code plugins/foo/foo.jar} beside
 *       {@code plugins/foo/lib/dependency.jar} is a plugin with its own dependencies.</li>
 *   <li>Anything else (other files, names starting with {@code .}) is ignored. Directories searched twice are searched
 *       once; a missing {@code --plugins-dir} is reported, missing default directories are not.</li>
 * </ul>
 *
 * <h2>Isolation</h2>
 * Each external plugin has its own {@link io.lem.runner.plugins.PluginClassLoader}, child-first, with lem's class
 * loader as parent. Parent-first (shared with lem): {@code java.}, {@code javax.}, {@code jdk.}, {@code sun.}, the
 * JDK's {@code com.sun.}, {@code org.w3c.dom.}, {@code org.xml.sax.}, {@code org.ietf.jgss.}, the SPI
 * {@code io.lem.api.} and the Jackson it exposes, {@code com.fasterxml.jackson.}. Everything else a plugin bundles
 * shadows lem's copy; what it does not bundle comes from lem. Resources likewise, except that the SPI service files
 * {@code META-INF/services/io.lem.api.*} are read from the plugin only: a {@link java.util.ServiceLoader} over a
 * plugin's loader therefore sees only that plugin's registrations, never the built-ins again. As a second guard, a
 * provider whose class was not defined by the plugin's own loader is skipped
 * ({@link io.lem.runner.plugins.SkipReason#NOT_IN_PLUGIN}). During instantiation and probing the plugin's loader is
 * the thread context class loader.
 *
 * <h2>Failures are never fatal</h2>
 * Every jar, directory or provider that cannot be loaded becomes a {@link io.lem.runner.plugins.SkippedPlugin}
 * (source, {@link io.lem.runner.plugins.SkipReason}, message), logged at WARN; discovery goes on with the rest. A probe
 * that throws makes the plugin "unavailable: probe failed: ...", it is still listed.
 *
 * <h2>Duplicate names (per kind)</h2>
 * A built-in always wins over an external plugin (a dropped-in jar cannot replace {@code nvml} under its name: give
 * yours another name and exclude the built-in); between plugins of the same tier the higher rank wins, then the first
 * found (class path order; directory search order, then file name). Each loser is skipped with
 * {@link io.lem.runner.plugins.SkipReason#DUPLICATE_NAME}.
 *
 * <h2>Selection</h2>
 * {@link io.lem.runner.plugins.PluginRegistry#selectEnergy}, {@link io.lem.runner.plugins.PluginRegistry#selectCarbon}
 * and {@link io.lem.runner.plugins.PluginRegistry#selectFlops} turn {@code energy.plugins}/{@code --energy-plugins}
 * and exclusions into the plugins a process uses; unknown names fail with
 * {@link io.lem.runner.plugins.UnknownPluginException}, unavailable requested ones with
 * {@link io.lem.runner.plugins.PluginUnavailableException}.
 */
package io.lem.runner.plugins;
