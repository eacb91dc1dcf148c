package io.lem.runner.plugins;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where external plugins are looked for, in this order:
 * <ol>
 *   <li>every {@code --plugins-dir} (explicit; taken as given, no {@code ~} expansion; a missing one is reported as a
 *       skip),</li>
 *   <li>{@code ./plugins} (relative to the working directory),</li>
 *   <li>{@code $LEM_HOME/plugins} when {@code LEM_HOME} is set, else {@code ~/.lem/plugins}.</li>
 * </ol>
 * Default directories that do not exist are silently ignored. A directory reached twice (e.g. the working directory
 * is {@code ~/.lem}) is searched once. The order decides between external plugins of the same name and rank: the
 * first found wins.
 *
 * @param explicit directories given on the command line or in the config
 * @param defaults the standard directories
 */
public record PluginDirectories(List<Path> explicit, List<Path> defaults) {

    public static final String LEM_HOME = "LEM_HOME";

    public PluginDirectories {
        explicit = List.copyOf(explicit);
        defaults = List.copyOf(defaults);
    }

    /** The standard directories of this process (real environment, working directory, home) plus {@code pluginsDirs}. */
    public static PluginDirectories standard(List<Path> pluginsDirs) {
        return resolve(pluginsDirs, System.getenv(), Path.of("").toAbsolutePath(),
                Path.of(System.getProperty("user.home")));
    }

    /** The standard directories for the given environment, working directory and home, plus {@code pluginsDirs}. */
    public static PluginDirectories resolve(List<Path> pluginsDirs, Map<String, String> environment, Path workingDir,
                                            Path userHome) {
        String lemHome = environment.get(LEM_HOME);
        Path home = lemHome != null && !lemHome.isBlank() ? Path.of(lemHome.trim()) : userHome.resolve(".lem");
        return new PluginDirectories(pluginsDirs, List.of(workingDir.resolve("plugins"), home.resolve("plugins")));
    }

    /** Only the given directories, no defaults: for tests and embedding. */
    public static PluginDirectories only(List<Path> dirs) {
        return new PluginDirectories(dirs, List.of());
    }

    /** No external plugins at all. */
    public static PluginDirectories none() {
        return new PluginDirectories(List.of(), List.of());
    }

    /** Explicit first, then defaults, each directory once. */
    public List<Path> searchOrder() {
        Set<Path> seen = new LinkedHashSet<>();
        List<Path> order = new ArrayList<>();
        for (List<Path> group : List.of(explicit, defaults)) {
            for (Path dir : group) {
                if (seen.add(identity(dir))) {
                    order.add(dir);
                }
            }
        }
        return order;
    }

    public boolean isExplicit(Path dir) {
        Path id = identity(dir);
        return explicit.stream().anyMatch(d -> identity(d).equals(id));
    }

    private static Path identity(Path dir) {
        try {
            return Files.exists(dir) ? dir.toRealPath() : dir.toAbsolutePath().normalize();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }
}
