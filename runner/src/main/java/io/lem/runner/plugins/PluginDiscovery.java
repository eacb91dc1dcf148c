package io.lem.runner.plugins;

import io.lem.api.carbon.CarbonIntensityProvider;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.flops.FlopsEstimatorProvider;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.LemPlugin;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds plugins with {@link ServiceLoader} for {@link EnergySourceProvider}, {@link FlopsEstimatorProvider} and
 * {@link CarbonIntensityProvider}: first on the application class path (the built-ins), then in the plugins
 * directories ({@link PluginDirectories}), each external plugin in its own {@link PluginClassLoader}. See the package
 * documentation for the layouts and rules. Nothing a plugin does makes discovery fail: every problem becomes a
 * {@link SkippedPlugin}, logged at WARN, and discovery goes on.
 *
 * <pre>{@code
 * PluginRegistry registry = PluginDiscovery.discover(pluginsDirs, context);   // standard directories + pluginsDirs
 * }</pre>
 */
public final class PluginDiscovery {

    private static final Logger log = LoggerFactory.getLogger(PluginDiscovery.class);

    /** The service interfaces, in listing order. */
    static final List<Class<? extends LemPlugin>> SERVICES =
            List.of(EnergySourceProvider.class, FlopsEstimatorProvider.class, CarbonIntensityProvider.class);

    /** Lower-case, no spaces or commas (names are written comma-separated in {@code --energy-plugins}). */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    private static final int MAX_JAR_DEPTH = 8;
    /** A safety net against a service iterator that never ends; no real plugin comes near it. */
    private static final int MAX_PROVIDERS_PER_SERVICE = 10_000;

    private final ClassLoader applicationLoader;
    private final boolean builtIns;
    private final PluginDirectories directories;

    private PluginDiscovery(Builder builder) {
        this.applicationLoader = builder.applicationLoader;
        this.builtIns = builder.builtIns;
        this.directories = builder.directories;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Built-ins plus the standard plugins directories and {@code pluginsDirs}, probed with {@code context}. */
    public static PluginRegistry discover(List<Path> pluginsDirs, PluginContext context) {
        return builder().directories(PluginDirectories.standard(pluginsDirs)).build().discover(context);
    }

    public static final class Builder {
        private ClassLoader applicationLoader = PluginDiscovery.class.getClassLoader();
        private boolean builtIns = true;
        private PluginDirectories directories = PluginDirectories.none();

        private Builder() {
        }

        /** Where built-ins are looked up, and the parent of every plugin loader (default: the loader of lem). */
        public Builder applicationClassLoader(ClassLoader loader) {
            this.applicationLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /** Whether to look for built-ins on the application class path (default true). */
        public Builder builtIns(boolean builtIns) {
            this.builtIns = builtIns;
            return this;
        }

        /** The plugins directories (default: none). */
        public Builder directories(PluginDirectories directories) {
            this.directories = Objects.requireNonNull(directories, "directories");
            return this;
        }

        public PluginDiscovery build() {
            return new PluginDiscovery(this);
        }
    }

    /** Finds, loads and probes every plugin. Never throws because of a plugin. */
    public PluginRegistry discover(PluginContext context) {
        Objects.requireNonNull(context, "context");
        Run run = new Run();
        if (builtIns) {
            run.loadProviders(applicationLoader, DiscoveredPlugin.BUILT_IN, false);
        }
        for (Path dir : directories.searchOrder()) {
            run.scanDirectory(dir, directories.isExplicit(dir));
        }
        return run.finish(context);
    }

    /** The metadata of one provider, read once. */
    record Metadata(String name, String version, PluginKind kind, int rank, String description, Scope scope,
                    String fallbackFor) {
    }

    /** A provider whose metadata cannot be used; message for {@link SkippedPlugin}. */
    static final class InvalidPluginException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final SkipReason reason;

        InvalidPluginException(SkipReason reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private record Candidate(LemPlugin plugin, Metadata meta, String source, PluginClassLoader loader, int order) {
        boolean builtIn() {
            return loader == null;
        }
    }

    /** State of one discovery. */
    private final class Run {
        private final List<Candidate> candidates = new ArrayList<>();
        private final List<SkippedPlugin> skipped = new ArrayList<>();
        private final List<PluginClassLoader> loaders = new ArrayList<>();

        void skip(String source, SkipReason reason, String message) {
            SkippedPlugin s = new SkippedPlugin(source, reason, oneLine(message));
            skipped.add(s);
            log.warn("skipping plugin {}: {}: {}", s.source(), reason.label(), s.message());
        }

        void scanDirectory(Path dir, boolean explicit) {
            String where = dir.toAbsolutePath().normalize().toString();
            if (!Files.isDirectory(dir)) {
                if (explicit) {
                    skip(where, SkipReason.NOT_A_DIRECTORY, Files.exists(dir)
                            ? "plugins directory is a file: pass the directory that holds plugin jars"
                            : "plugins directory does not exist");
                } else {
                    log.debug("no plugins directory {}", where);
                }
                return;
            }
            List<Path> entries;
            try (Stream<Path> list = Files.list(dir)) {
                entries = list.sorted(Comparator.comparing(p -> p.getFileName().toString())).collect(Collectors.toList());
            } catch (IOException | UncheckedIOException e) {
                skip(where, SkipReason.UNREADABLE, "cannot list plugins directory: " + describe(e));
                return;
            }
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(entry) && isSourceTree(entry)) {
                    // e.g. lem's own repository, whose plugins/ folder holds the plugins' Maven modules: their build
                    // outputs are not installed plugins (the built-ins are on the class path already).
                    log.info("ignoring {}: a source tree (build file present), not an installed plugin", entry);
                } else if (Files.isDirectory(entry)) {
                    loadDirectoryPlugin(entry);
                } else if (isJar(entry)) {
                    loadJarPlugin(entry);
                } else {
                    log.debug("ignoring {}: not a jar or directory", entry);
                }
            }
        }

        private static boolean isSourceTree(Path dir) {
            return Files.exists(dir.resolve("pom.xml")) || Files.exists(dir.resolve("build.gradle"))
                    || Files.exists(dir.resolve("build.gradle.kts"));
        }

        private void loadJarPlugin(Path jar) {
            String source = jar.toAbsolutePath().normalize().toString();
            Set<String> services;
            try {
                services = servicesInJar(jar);
            } catch (PluginJarException e) {
                skip(source, e.reason, e.getMessage());
                return;
            }
            if (services.isEmpty()) {
                skip(source, SkipReason.NO_SERVICE_FILE, noServiceFileMessage("the jar"));
                return;
            }
            loadIsolated(source, List.of(jar));
        }

        private void loadDirectoryPlugin(Path dir) {
            String source = dir.toAbsolutePath().normalize().toString();
            List<Path> jars;
            try (Stream<Path> walk = Files.walk(dir, MAX_JAR_DEPTH)) {
                jars = walk.filter(p -> !hidden(dir.relativize(p)) && isJar(p)).sorted().collect(Collectors.toList());
            } catch (IOException | UncheckedIOException e) {
                skip(source, SkipReason.UNREADABLE, "cannot list plugin directory: " + describe(e));
                return;
            }
            Set<String> services = new TreeSet<>();
            for (Class<?> service : SERVICES) {
                if (Files.isRegularFile(dir.resolve(PluginClassLoader.SERVICES + service.getName()))) {
                    services.add(service.getName());
                }
            }
            for (Path jar : jars) {
                try {
                    services.addAll(servicesInJar(jar));
                } catch (PluginJarException e) {
                    skip(source, e.reason, dir.relativize(jar) + ": " + e.getMessage());
                    return;
                }
            }
            if (services.isEmpty()) {
                skip(source, SkipReason.NO_SERVICE_FILE, noServiceFileMessage("the directory or its jars"));
                return;
            }
            List<Path> classPath = new ArrayList<>();
            classPath.add(dir);
            classPath.addAll(jars);
            loadIsolated(source, classPath);
        }

        private void loadIsolated(String source, List<Path> classPath) {
            List<URL> urls = new ArrayList<>();
            for (Path p : classPath) {
                try {
                    urls.add(p.toAbsolutePath().toUri().toURL());
                } catch (MalformedURLException e) {
                    skip(source, SkipReason.UNREADABLE, "cannot make a URL of " + p + ": " + describe(e));
                    return;
                }
            }
            PluginClassLoader loader = new PluginClassLoader(source, urls, applicationLoader);
            loaders.add(loader);
            loadProviders(loader, source, true);
        }

        /** Instantiates every provider {@code loader} registers, one service after another. */
        void loadProviders(ClassLoader loader, String source, boolean isolated) {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                for (Class<? extends LemPlugin> service : SERVICES) {
                    Iterator<? extends LemPlugin> providers = ServiceLoader.load(service, loader).iterator();
                    for (int i = 0; i < MAX_PROVIDERS_PER_SERVICE; i++) {
                        LemPlugin plugin;
                        try {
                            if (!providers.hasNext()) {
                                break;
                            }
                            plugin = providers.next();
                        } catch (ServiceConfigurationError | LinkageError e) {
                            // the JDK's iterator goes on with the next provider after an error
                            SkippedPlugin s = classify(source, service, e, isolated);
                            skip(s.source(), s.reason(), s.message());
                            log.debug("plugin load failure in {}", source, e);
                            continue;
                        } catch (RuntimeException e) {
                            skip(source, SkipReason.LOAD_FAILED, "looking up " + service.getName() + " providers: "
                                    + describe(e));
                            break;
                        }
                        accept(plugin, service, source, isolated ? (PluginClassLoader) loader : null);
                    }
                }
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        private void accept(LemPlugin plugin, Class<? extends LemPlugin> service, String source,
                            PluginClassLoader loader) {
            String className = plugin.getClass().getName();
            if (loader != null && plugin.getClass().getClassLoader() != loader
                    && plugin.getClass().getModule().isNamed()) {
                log.debug("ignoring {} from a named module seen through {}", className, loader);
                return; // lem on the module path: ServiceLoader also lists module providers, the built-ins
            }
            if (loader != null && plugin.getClass().getClassLoader() != loader) {
                skip(source, SkipReason.NOT_IN_PLUGIN, PluginClassLoader.SERVICES + service.getName() + " names "
                        + className + ", which is not in the plugin but on lem's class path; a plugin may only "
                        + "register its own classes");
                return;
            }
            Metadata meta;
            try {
                meta = readMetadata(plugin, kindOf(service));
            } catch (InvalidPluginException e) {
                skip(source, e.reason, e.getMessage());
                return;
            }
            candidates.add(new Candidate(plugin, meta, source, loader, candidates.size()));
            log.debug("found {} plugin {} {} ({}) in {}", meta.kind().label(), meta.name(), meta.version(), className,
                    source);
        }

        PluginRegistry finish(PluginContext context) {
            Map<String, List<Candidate>> byName = new LinkedHashMap<>();
            for (Candidate c : candidates) {
                byName.computeIfAbsent(c.meta().kind() + "/" + c.meta().name(), k -> new ArrayList<>()).add(c);
            }
            Comparator<Candidate> precedence = Comparator.comparing((Candidate c) -> !c.builtIn())
                    .thenComparing(Comparator.comparingInt((Candidate c) -> c.meta().rank()).reversed())
                    .thenComparingInt(Candidate::order);
            List<DiscoveredPlugin> plugins = new ArrayList<>();
            Set<ClassLoader> used = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (List<Candidate> same : byName.values()) {
                same.sort(precedence);
                Candidate winner = same.get(0);
                for (Candidate loser : same.subList(1, same.size())) {
                    skip(loser.source(), SkipReason.DUPLICATE_NAME, loser.meta().kind().label() + " plugin '"
                            + loser.meta().name() + "' (rank " + loser.meta().rank() + ", "
                            + loser.plugin().getClass().getName() + ") is also provided by " + winner.source()
                            + " (rank " + winner.meta().rank() + "), which wins: built-in plugins win over external "
                            + "ones, then the higher rank, then the first found");
                }
                Metadata m = winner.meta();
                plugins.add(new DiscoveredPlugin(m.name(), m.version(), m.kind(), m.rank(), m.description(),
                        winner.source(), m.scope(), m.fallbackFor(), probe(winner.plugin(), context),
                        winner.plugin()));
                if (winner.loader() != null) {
                    used.add(winner.loader());
                }
            }
            List<PluginClassLoader> kept = new ArrayList<>();
            for (PluginClassLoader loader : loaders) {
                if (used.contains(loader)) {
                    kept.add(loader);
                } else {
                    closeQuietly(loader);
                }
            }
            return new PluginRegistry(plugins, skipped, context, kept);
        }
    }

    /** Reads and checks what a provider says about itself; plugin code may throw, so every call is guarded. */
    static Metadata readMetadata(LemPlugin plugin, PluginKind serviceKind) {
        String className = plugin.getClass().getName();
        try {
            String name = plugin.name();
            if (name == null || !NAME.matcher(name).matches()) {
                throw new InvalidPluginException(SkipReason.INVALID_METADATA, className + ": name() must be lower-case "
                        + "letters, digits, '.', '_' or '-', starting with a letter or digit; was "
                        + (name == null ? "null" : "'" + name + "'"));
            }
            String version = plugin.version();
            if (version == null || version.isBlank()) {
                version = "unknown";
            }
            PluginKind kind = serviceKind != null ? serviceKind : plugin.kind();
            if (kind == null) {
                throw new InvalidPluginException(SkipReason.INVALID_METADATA, className + ": kind() is null");
            }
            int rank = plugin.rank();
            String description = plugin.description();
            description = description == null ? "" : oneLine(description);
            Scope scope = null;
            String fallbackFor = null;
            if (kind == PluginKind.ENERGY) {
                EnergySourceProvider energy = (EnergySourceProvider) plugin;
                scope = energy.scope();
                if (scope == null) {
                    throw new InvalidPluginException(SkipReason.INVALID_METADATA, className + " (" + name
                            + "): scope() is null; return HOST or PROCESS");
                }
                fallbackFor = energy.fallbackFor();
                if (fallbackFor != null && (fallbackFor.isBlank() || fallbackFor.equals(name))) {
                    fallbackFor = null;
                }
            }
            return new Metadata(name, version.strip(), kind, rank, description, scope, fallbackFor);
        } catch (InvalidPluginException e) {
            throw e;
        } catch (NoClassDefFoundError e) {
            throw new InvalidPluginException(SkipReason.MISSING_DEPENDENCY, className + " needs class "
                    + dotted(e.getMessage()) + ", which the plugin does not bundle and lem does not share");
        } catch (RuntimeException | LinkageError e) {
            throw new InvalidPluginException(SkipReason.INVALID_METADATA, className + ": reading its name, version "
                    + "or scope threw " + describe(e));
        }
    }

    /** {@code plugin.probe(context)}, with the plugin's loader as context loader; a throw becomes "probe failed". */
    static Availability probe(LemPlugin plugin, PluginContext context) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(plugin.getClass().getClassLoader());
        try {
            Availability availability = plugin.probe(context);
            return availability != null ? availability : Availability.no("probe failed: probe() returned null");
        } catch (RuntimeException | LinkageError e) {
            log.debug("probe of {} threw", plugin.getClass().getName(), e);
            return Availability.no("probe failed: " + describe(e));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static final Pattern NOT_FOUND = Pattern.compile("Provider (\\S+) not found");
    private static final Pattern NOT_A_SUBTYPE = Pattern.compile("(\\S+) not a subtype");
    private static final Pattern NOT_INSTANTIATED = Pattern.compile("Provider (\\S+) could not be instantiated");
    private static final Pattern NO_CONSTRUCTOR = Pattern.compile("(\\S+) Unable to get public no-arg constructor");

    /** Maps what {@link ServiceLoader} threw to a reason and a message that names the class and the fix. */
    static SkippedPlugin classify(String source, Class<?> service, Throwable error, boolean isolated) {
        String serviceFile = PluginClassLoader.SERVICES + service.getName();
        String where = isolated ? "the plugin" : "the application class path";
        String detail = error.getMessage() == null ? error.getClass().getSimpleName()
                : oneLine(error.getMessage().replace(service.getName() + ": ", ""));
        Throwable cause = error.getCause();
        String provider = firstGroup(detail, NOT_INSTANTIATED, NO_CONSTRUCTOR, NOT_FOUND, NOT_A_SUBTYPE);
        String who = provider == null ? "" : provider + " ";

        NoClassDefFoundError missing = find(error, NoClassDefFoundError.class);
        if (missing != null && missing.getMessage() != null
                && !missing.getMessage().startsWith("Could not initialize class")) {
            return new SkippedPlugin(source, SkipReason.MISSING_DEPENDENCY, who + "needs class "
                    + dotted(missing.getMessage()) + ", which " + where + " does not bundle and lem does not share; "
                    + "bundle it in the plugin jar, or put the plugin and its dependency jars together in one "
                    + "directory under the plugins directory");
        }
        UnsupportedClassVersionError version = find(error, UnsupportedClassVersionError.class);
        if (version != null) {
            return new SkippedPlugin(source, SkipReason.INCOMPATIBLE_CLASS, "compiled for a newer Java than this "
                    + "one (" + System.getProperty("java.specification.version") + "): " + version.getMessage()
                    + "; rebuild it with --release 17");
        }
        LinkageError linkage = find(error, LinkageError.class);
        if (linkage != null && missing == null) {
            return new SkippedPlugin(source, SkipReason.INCOMPATIBLE_CLASS, who + describe(linkage)
                    + " (built against an incompatible plugins-api?)");
        }
        if (cause instanceof ClassNotFoundException || NOT_FOUND.matcher(detail).find()) {
            String name = provider != null ? provider : cause.getMessage();
            return new SkippedPlugin(source, SkipReason.CLASS_NOT_FOUND, serviceFile + " names " + name
                    + ", which is not in " + where);
        }
        if (NOT_A_SUBTYPE.matcher(detail).find()) {
            return new SkippedPlugin(source, SkipReason.NOT_A_PROVIDER, serviceFile + " names " + provider
                    + ", which does not implement " + service.getName());
        }
        if (NO_CONSTRUCTOR.matcher(detail).find()) {
            return new SkippedPlugin(source, SkipReason.NO_PUBLIC_CONSTRUCTOR, provider + " has no public no-argument "
                    + "constructor, which a provider needs" + (cause == null ? "" : " (" + describe(cause) + ")"));
        }
        if (NOT_INSTANTIATED.matcher(detail).find()) {
            Throwable thrown = cause instanceof ExceptionInInitializerError && cause.getCause() != null
                    ? cause.getCause() : cause;
            return new SkippedPlugin(source, SkipReason.CONSTRUCTOR_FAILED, "the constructor of " + provider
                    + " threw " + (thrown == null ? "an unknown error" : describe(thrown)));
        }
        if (cause instanceof IOException) {
            return new SkippedPlugin(source, SkipReason.UNREADABLE, "cannot read " + serviceFile + ": "
                    + describe(cause));
        }
        if (detail.contains("Illegal") || detail.contains("syntax")) {
            return new SkippedPlugin(source, SkipReason.BAD_SERVICE_FILE, detail
                    + "; each line must be one fully qualified class name (# starts a comment)");
        }
        return new SkippedPlugin(source, SkipReason.LOAD_FAILED, describe(error));
    }

    private static String firstGroup(String text, Pattern... patterns) {
        for (Pattern pattern : patterns) {
            java.util.regex.Matcher m = pattern.matcher(text);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    private static final class PluginJarException extends Exception {
        private static final long serialVersionUID = 1L;
        final SkipReason reason;

        PluginJarException(SkipReason reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    /**
     * Opens the jar, reads its whole directory and its SPI service files, and returns the names of the services it
     * registers. A file that is not a readable zip fails here, before any class loader sees it.
     */
    private static Set<String> servicesInJar(Path jar) throws PluginJarException {
        if (!Files.isReadable(jar)) {
            throw new PluginJarException(SkipReason.UNREADABLE, "cannot read the file (permission denied?)");
        }
        Set<String> wanted = new HashSet<>();
        SERVICES.forEach(s -> wanted.add(PluginClassLoader.SERVICES + s.getName()));
        Set<String> found = new TreeSet<>();
        try (JarFile file = new JarFile(jar.toFile(), true)) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (wanted.contains(entry.getName())) {
                    try (InputStream in = file.getInputStream(entry)) {
                        in.readAllBytes();
                    }
                    found.add(entry.getName().substring(PluginClassLoader.SERVICES.length()));
                }
            }
        } catch (IOException | SecurityException | IllegalStateException e) {
            throw new PluginJarException(SkipReason.NOT_A_JAR, "not a valid jar (zip) file: " + describe(e));
        }
        return found;
    }

    private static String noServiceFileMessage(String where) {
        return "no " + SERVICES.stream().map(s -> PluginClassLoader.SERVICES + s.getName())
                .collect(Collectors.joining(", ")) + " in " + where + ": not a lem plugin (a library jar belongs "
                + "in a plugin's own directory, beside the plugin jar)";
    }

    private static PluginKind kindOf(Class<?> service) {
        if (service == EnergySourceProvider.class) {
            return PluginKind.ENERGY;
        }
        if (service == FlopsEstimatorProvider.class) {
            return PluginKind.FLOPS;
        }
        return PluginKind.CARBON;
    }

    private static boolean isJar(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jar");
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + oneLine(message));
    }

    private static String dotted(String internalName) {
        return internalName == null ? "?" : internalName.replace('/', '.');
    }

    static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    private static void closeQuietly(PluginClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            log.debug("closing {}", loader, e);
        }
    }
}
