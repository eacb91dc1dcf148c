package io.lem.cli.plugins;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lem.api.carbon.GridIntensity;
import io.lem.api.energy.DomainEnergy;
import io.lem.api.energy.EnergyMonitor;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.Measurement;
import io.lem.api.flops.FlopsEstimatorProvider;
import io.lem.api.plugin.PluginException;
import io.lem.api.plugin.PluginKind;
import io.lem.cli.ExitCodes;
import io.lem.cli.UserError;
import io.lem.runner.plugins.DiscoveredPlugin;
import io.lem.runner.plugins.EnergySelection;
import io.lem.runner.plugins.PluginRegistry;
import io.lem.runner.plugins.PluginSelectionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code lem plugins list|probe}. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "Estimator plugins: built-ins and jars in ./plugins, ~/.lem/plugins or --plugins-dir.",
        synopsisSubcommandLabel = "COMMAND")
public final class PluginsCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List every plugin found: name, version, kind, rank, source jar, available or why not,",
                    "and the jars that were skipped with their reason."})
    int list(@Mixin PluginOptions options,
             @Option(names = "--json", description = "Print JSON.") boolean json) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (PluginRegistry registry = options.discover()) {
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(asJson(registry)));
            } else {
                printTable(out, registry);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    @Command(name = "probe", mixinStandardHelpOptions = true,
            description = {"Take a short reading from every available energy source and print it per device,",
                    "with the carbon intensity of a region and the FLOPs methods on offer.",
                    "Exit 0 when at least one device was measured, 1 otherwise."})
    int probe(@Mixin PluginOptions options,
              @Option(names = "--seconds", paramLabel = "S", defaultValue = "2",
                      description = "Length of the reading (default: ${DEFAULT-VALUE}).") double seconds,
              @Option(names = "--energy-plugins", paramLabel = "NAMES", split = ",",
                      description = "Only these energy plugins (comma-separated).") List<String> include,
              @Option(names = "--exclude-plugins", paramLabel = "NAMES", split = ",",
                      description = "Not these energy plugins (comma-separated).") List<String> exclude,
              @Option(names = "--region", paramLabel = "CODE", defaultValue = "WORLD",
                      description = "Carbon region to show (default: ${DEFAULT-VALUE}).") String region)
            throws InterruptedException {
        if (!(seconds > 0) || seconds > 3600) {
            throw new UserError("--seconds must be in (0, 3600], was " + seconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (PluginRegistry registry = options.discover()) {
            EnergySelection selection;
            try {
                selection = registry.selectEnergy(include == null ? List.of() : include,
                        exclude == null ? List.of() : exclude, 0);
            } catch (PluginSelectionException e) {
                throw new UserError(e.getMessage());
            }
            selection.notRun().forEach(notRun -> out.println("not run: " + notRun));
            List<EnergySource> sources = new ArrayList<>();
            try {
                for (DiscoveredPlugin plugin : selection.selected()) {
                    try {
                        sources.add(plugin.energy().open(registry.context()));
                    } catch (PluginException | RuntimeException e) {
                        err.println(plugin.name() + ": cannot open: " + e.getMessage());
                    }
                }
                int measured = measure(out, sources, seconds);
                printCarbon(out, registry, region);
                printFlops(out, registry);
                out.flush();
                err.flush();
                return measured > 0 ? ExitCodes.OK : ExitCodes.FAILED;
            } finally {
                sources.forEach(EnergySource::close);
            }
        }
    }

    private static int measure(PrintWriter out, List<EnergySource> sources, double seconds)
            throws InterruptedException {
        if (sources.isEmpty()) {
            out.println("no energy source is available here: see 'lem plugins list' for why");
            return 0;
        }
        EnergyMonitor monitor = new EnergyMonitor(sources);
        monitor.begin("probe");
        Thread.sleep(Duration.ofNanos((long) (seconds * 1e9)).toMillis()); // the reading's window itself
        Measurement measurement = monitor.end("probe");
        double windowSeconds = measurement.durationNanos() / 1e9;
        out.printf("%nEnergy over %.3f s:%n", windowSeconds);
        out.printf("%-40s %-16s %-14s %12s %10s %12s%n", "DEVICE", "PLUGIN", "METHOD", "JOULES", "WATTS",
                "± JOULES");
        for (DomainEnergy domain : measurement.domains().values()) {
            out.printf("%-40s %-16s %-14s %12.3f %10.2f %12s%s%n", domain.deviceKey(), domain.source(),
                    domain.method().label(), domain.energyJoules(), domain.energyJoules() / windowSeconds,
                    domain.uncertaintyJoules() == null ? "unknown" : String.format("%.3f", domain.uncertaintyJoules()),
                    domain.shorterThanUpdatePeriod() ? "  (window shorter than the counter's update period)" : "");
        }
        for (EnergySource source : sources) {
            source.readMemory().values().forEach(memory -> out.printf("%-40s memory used %d MiB, peak %d MiB%n",
                    memory.deviceKey(), memory.usedBytes() >> 20, memory.peakBytes() >> 20));
        }
        return measurement.domains().size();
    }

    private static void printCarbon(PrintWriter out, PluginRegistry registry, String region) {
        Optional<DiscoveredPlugin> carbon = registry.selectCarbon(null);
        if (carbon.isEmpty()) {
            out.println("\ncarbon: no carbon-intensity plugin available");
            return;
        }
        Optional<GridIntensity> intensity = carbon.get().carbon().intensity(region);
        out.println();
        out.println(intensity.map(g -> String.format("carbon (%s): %s %s = %.1f gCO2e/kWh (%s, %d)",
                        carbon.get().name(), g.region(), g.name(), g.gramsCo2PerKwh(), g.source(), g.year()))
                .orElse("carbon (" + carbon.get().name() + "): unknown region '" + region + "'; known: "
                        + carbon.get().carbon().regions().stream().map(GridIntensity::region).toList()));
    }

    private static void printFlops(PrintWriter out, PluginRegistry registry) {
        for (DiscoveredPlugin plugin : registry.selectFlops(List.of(), List.of())) {
            FlopsEstimatorProvider flops = plugin.flops();
            out.println("flops (" + plugin.name() + "): methods " + String.join(", ", flops.methods()));
        }
    }

    private static void printTable(PrintWriter out, PluginRegistry registry) {
        out.printf("%-24s %-14s %-7s %5s  %-30s %s%n", "NAME", "VERSION", "KIND", "RANK", "SOURCE", "STATUS");
        for (DiscoveredPlugin plugin : registry.plugins()) {
            out.printf("%-24s %-14s %-7s %5d  %-30s %s%n", plugin.name(), plugin.version(), plugin.kind().label(),
                    plugin.rank(), plugin.source(), plugin.status());
        }
        if (!registry.skipped().isEmpty()) {
            out.println();
            registry.skipped().forEach(skipped -> out.println("skipped " + skipped));
        }
    }

    private static Map<String, Object> asJson(PluginRegistry registry) {
        List<Map<String, Object>> plugins = new ArrayList<>();
        for (DiscoveredPlugin plugin : registry.plugins()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", plugin.name());
            row.put("version", plugin.version());
            row.put("kind", plugin.kind().label());
            row.put("rank", plugin.rank());
            row.put("source", plugin.source());
            row.put("available", plugin.available());
            row.put("reason", plugin.available() ? null : plugin.availability().reason());
            if (plugin.kind() == PluginKind.ENERGY) {
                row.put("scope", plugin.scope() == null ? null : plugin.scope().name().toLowerCase());
            }
            row.put("description", plugin.description());
            plugins.add(row);
        }
        List<Map<String, Object>> skipped = new ArrayList<>();
        registry.skipped().forEach(s -> skipped.add(Map.of("source", s.source(), "reason", s.reason().label(),
                "message", s.message())));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("plugins", plugins);
        json.put("skipped", skipped);
        return json;
    }
}
