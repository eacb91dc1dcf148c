package io.lem.runner.plugins;

import io.lem.api.energy.Scope;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What discovery found: every loaded plugin with its availability, and every skipped one with its reason (the data of
 * {@code lem plugins list}); plus the selection rules that turn configuration into the plugins a process uses.
 * Immutable; {@link #close()} releases the plugin class loaders at the end of the process.
 */
public final class PluginRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

    /** Listing and selection order: kind, then rank (highest first), then name. */
    static final Comparator<DiscoveredPlugin> ORDER = Comparator.comparing(DiscoveredPlugin::kind)
            .thenComparing(Comparator.comparingInt(DiscoveredPlugin::rank).reversed())
            .thenComparing(DiscoveredPlugin::name);

    private final List<DiscoveredPlugin> plugins;
    private final List<SkippedPlugin> skipped;
    private final PluginContext context;
    private final List<PluginClassLoader> loaders;

    PluginRegistry(List<DiscoveredPlugin> plugins, List<SkippedPlugin> skipped, PluginContext context,
                   List<PluginClassLoader> loaders) {
        List<DiscoveredPlugin> sorted = new ArrayList<>(plugins);
        sorted.sort(ORDER);
        Set<String> names = new LinkedHashSet<>();
        for (DiscoveredPlugin p : sorted) {
            if (!names.add(p.kind() + "/" + p.name())) {
                throw new IllegalArgumentException("two " + p.kind().label() + " plugins named '" + p.name() + "'");
            }
        }
        this.plugins = List.copyOf(sorted);
        this.skipped = List.copyOf(skipped);
        this.context = Objects.requireNonNull(context, "context");
        this.loaders = List.copyOf(loaders);
    }

    /** A registry of given plugins (names unique per kind), e.g. for tests or an embedding application. */
    public static PluginRegistry of(List<DiscoveredPlugin> plugins, List<SkippedPlugin> skipped,
                                    PluginContext context) {
        return new PluginRegistry(plugins, skipped, context, List.of());
    }

    /** Every loaded plugin, available or not, by kind, rank (highest first), name. */
    public List<DiscoveredPlugin> plugins() {
        return plugins;
    }

    public List<DiscoveredPlugin> plugins(PluginKind kind) {
        return plugins.stream().filter(p -> p.kind() == kind).toList();
    }

    /** Jars, directories and providers that were not loaded, with the reason, in the order met. */
    public List<SkippedPlugin> skipped() {
        return skipped;
    }

    /** The context the plugins were probed with. */
    public PluginContext context() {
        return context;
    }

    public Optional<DiscoveredPlugin> find(PluginKind kind, String name) {
        String wanted = normalize(name);
        return plugins.stream().filter(p -> p.kind() == kind && p.name().equals(wanted)).findFirst();
    }

    /** {@code "nvml, rapl"} → {@code [nvml, rapl]}: the form of {@code --energy-plugins}; blank parts are dropped. */
    public static List<String> splitNames(String commaSeparated) {
        List<String> names = new ArrayList<>();
        if (commaSeparated != null) {
            for (String part : commaSeparated.split(",")) {
                if (!part.isBlank()) {
                    names.add(normalize(part));
                }
            }
        }
        return names;
    }

    /** {@link #selectEnergy(Collection, Collection, int)} for the local rank of {@link #context()}. */
    public EnergySelection selectEnergy(Collection<String> include, Collection<String> exclude) {
        return selectEnergy(include, exclude, context.localRank());
    }

    /**
     * The energy sources this process runs.
     * <ol>
     *   <li>Every name in {@code include} and {@code exclude} must be a discovered energy plugin, else
     *       {@link UnknownPluginException}.</li>
     *   <li>An empty {@code include} means every available plugin; otherwise exactly those named. {@code exclude}
     *       removes names (and wins over {@code include}). A plugin in {@code include} (and not excluded) that is
     *       unavailable fails with {@link PluginUnavailableException}; unavailable plugins not asked for by name are
     *       simply not run.</li>
     *   <li>A plugin whose {@code fallbackFor()} names a plugin that runs is dropped (cpu-model when rapl works);
     *       when its target is not selected or unavailable, the fallback runs.</li>
     *   <li>{@link Scope#HOST} sources run only on local rank 0 (one process per host); {@link Scope#PROCESS}
     *       sources always.</li>
     *   <li>Order: rank (highest first), then name.</li>
     * </ol>
     */
    public EnergySelection selectEnergy(Collection<String> include, Collection<String> exclude, int localRank) {
        List<DiscoveredPlugin> energy = plugins(PluginKind.ENERGY);
        Set<String> wanted = checkedNames(PluginKind.ENERGY, energy, include);
        Set<String> unwanted = checkedNames(PluginKind.ENERGY, energy, exclude);
        requireAvailable(PluginKind.ENERGY, wanted, unwanted);

        List<EnergySelection.NotRun> notRun = new ArrayList<>();
        Map<String, DiscoveredPlugin> candidates = new HashMap<>();
        for (DiscoveredPlugin p : energy) {
            if (unwanted.contains(p.name())) {
                notRun.add(new EnergySelection.NotRun(p, "excluded"));
            } else if (!wanted.isEmpty() && !wanted.contains(p.name())) {
                notRun.add(new EnergySelection.NotRun(p, "not in the requested plugins " + wanted));
            } else if (!p.available()) {
                notRun.add(new EnergySelection.NotRun(p, "unavailable: " + p.availability().reason()));
            } else {
                candidates.put(p.name(), p);
            }
        }
        Map<String, Boolean> runs = new HashMap<>();
        List<DiscoveredPlugin> selected = new ArrayList<>();
        for (DiscoveredPlugin p : energy) {
            if (!candidates.containsKey(p.name())) {
                continue;
            }
            if (!runs(p.name(), candidates, runs, new LinkedHashSet<>())) {
                notRun.add(new EnergySelection.NotRun(p, "fallback for " + p.fallbackFor()
                        + ", which is selected and available"));
            } else if (p.scope() == Scope.HOST && localRank != 0) {
                notRun.add(new EnergySelection.NotRun(p, "host-level source: runs on local rank 0 of each host only "
                        + "(this process is local rank " + localRank + ")"));
            } else {
                selected.add(p);
            }
        }
        EnergySelection selection = new EnergySelection(selected, notRun);
        log.debug("energy plugins: running {}; not running {}", selection.names(), selection.notRun());
        return selection;
    }

    /** Does a candidate run, given that a fallback does not run when its target runs? Cycles: the first asked loses. */
    private static boolean runs(String name, Map<String, DiscoveredPlugin> candidates, Map<String, Boolean> memo,
                                Set<String> visiting) {
        Boolean known = memo.get(name);
        if (known != null) {
            return known;
        }
        DiscoveredPlugin p = candidates.get(name);
        if (p == null || !visiting.add(name)) {
            return false;
        }
        String target = p.fallbackFor();
        boolean result = target == null || !runs(target, candidates, memo, visiting);
        visiting.remove(name);
        memo.put(name, result);
        return result;
    }

    /**
     * The carbon-intensity provider: the one named (unknown or unavailable fails), or else the available one of
     * highest rank (then name); empty when none is available.
     */
    public Optional<DiscoveredPlugin> selectCarbon(String name) {
        List<DiscoveredPlugin> carbon = plugins(PluginKind.CARBON);
        if (name != null && !name.isBlank()) {
            Set<String> wanted = checkedNames(PluginKind.CARBON, carbon, List.of(name));
            requireAvailable(PluginKind.CARBON, wanted, Set.of());
            return find(PluginKind.CARBON, name);
        }
        return carbon.stream().filter(DiscoveredPlugin::available).findFirst();
    }

    /**
     * The FLOPs estimators: every available one, or those in {@code include}; minus {@code exclude}. Unknown names
     * and unavailable requested ones fail as for energy. By rank, then name.
     */
    public List<DiscoveredPlugin> selectFlops(Collection<String> include, Collection<String> exclude) {
        List<DiscoveredPlugin> flops = plugins(PluginKind.FLOPS);
        Set<String> wanted = checkedNames(PluginKind.FLOPS, flops, include);
        Set<String> unwanted = checkedNames(PluginKind.FLOPS, flops, exclude);
        requireAvailable(PluginKind.FLOPS, wanted, unwanted);
        return flops.stream()
                .filter(p -> !unwanted.contains(p.name()))
                .filter(p -> wanted.isEmpty() || wanted.contains(p.name()))
                .filter(DiscoveredPlugin::available)
                .toList();
    }

    private Set<String> checkedNames(PluginKind kind, List<DiscoveredPlugin> ofKind, Collection<String> names) {
        Set<String> result = new LinkedHashSet<>();
        if (names == null) {
            return result;
        }
        for (String raw : names) {
            if (raw == null || raw.isBlank()) {
                continue;
            }
            String name = normalize(raw);
            if (ofKind.stream().noneMatch(p -> p.name().equals(name))) {
                throw new UnknownPluginException(kind, name, ofKind.stream().map(DiscoveredPlugin::name).toList());
            }
            result.add(name);
        }
        return result;
    }

    private void requireAvailable(PluginKind kind, Set<String> wanted, Set<String> unwanted) {
        for (String name : wanted) {
            if (unwanted.contains(name)) {
                continue;
            }
            DiscoveredPlugin p = find(kind, name).orElseThrow();
            if (!p.available()) {
                throw new PluginUnavailableException(kind, name, p.availability().reason());
            }
        }
    }

    private static String normalize(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    /** Closes the class loaders of external plugins; their sources must be closed first. Idempotent. */
    @Override
    public void close() {
        for (PluginClassLoader loader : loaders) {
            try {
                loader.close();
            } catch (IOException e) {
                log.debug("closing {}", loader, e);
            }
        }
    }
}
