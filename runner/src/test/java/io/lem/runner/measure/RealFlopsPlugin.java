package io.lem.runner.measure;

import io.lem.api.flops.FlopsEstimatorProvider;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginKind;
import io.lem.runner.plugins.DiscoveredPlugin;
import io.lem.runner.plugins.PluginDirectories;
import io.lem.runner.plugins.PluginDiscovery;
import io.lem.runner.plugins.PluginRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.fail;

/**
 * The built-in {@code flops} plugin ({@code io.lem:plugin-flops}), found without a compile-time dependency on it:
 * <ol>
 *   <li>on the test class path through {@link ServiceLoader} (when runner/pom.xml declares the test-scoped
 *       dependency {@code io.lem:plugin-flops});</li>
 *   <li>otherwise its jar, {@code -Dlem.flops.plugin.jar=<jar>} or
 *       {@code ../plugins/flops/target/plugin-flops-*.jar}, discovered from a plugins directory like any external
 *       plugin (its Jackson is lem's, shared parent-first).</li>
 * </ol>
 */
final class RealFlopsPlugin implements AutoCloseable {

    private final DiscoveredPlugin plugin;
    private final PluginRegistry discovered;

    private RealFlopsPlugin(DiscoveredPlugin plugin, PluginRegistry discovered) {
        this.plugin = plugin;
        this.discovered = discovered;
    }

    static RealFlopsPlugin load(PluginContext context, Path tmp) throws IOException {
        Optional<FlopsEstimatorProvider> onClassPath = ServiceLoader.load(FlopsEstimatorProvider.class,
                        RealFlopsPlugin.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("flops")).findFirst();
        if (onClassPath.isPresent()) {
            return new RealFlopsPlugin(DiscoveredPlugin.of(onClassPath.get(), DiscoveredPlugin.BUILT_IN, context),
                    null);
        }
        Path jar = jar();
        Path dir = Files.createDirectories(tmp.resolve("flops-plugin"));
        Files.copy(jar, dir.resolve("plugin-flops.jar"));
        PluginRegistry registry = PluginDiscovery.builder().builtIns(false)
                .directories(PluginDirectories.only(List.of(dir))).build().discover(context);
        DiscoveredPlugin found = registry.find(PluginKind.FLOPS, "flops").orElseThrow(
                () -> new AssertionError("no flops plugin in " + jar + ": " + registry.skipped()));
        return new RealFlopsPlugin(found, registry);
    }

    private static Path jar() throws IOException {
        String property = System.getProperty("lem.flops.plugin.jar");
        if (property != null && !property.isBlank() && Files.isRegularFile(Path.of(property))) {
            return Path.of(property);
        }
        Path target = Path.of("").toAbsolutePath().resolve("../plugins/flops/target").normalize();
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                List<Path> jars = files.filter(p -> p.getFileName().toString()
                        .matches("plugin-flops-[0-9][^-]*(-SNAPSHOT)?\\.jar")).sorted().toList();
                if (!jars.isEmpty()) {
                    return jars.get(jars.size() - 1);
                }
            }
        }
        return fail("the flops plugin is neither on the test class path nor built: add the test-scoped dependency "
                + "io.lem:plugin-flops to runner/pom.xml, or run ./mvnw -pl plugins/flops package, or pass "
                + "-Dlem.flops.plugin.jar=<jar>");
    }

    DiscoveredPlugin plugin() {
        return plugin;
    }

    FlopsEstimatorProvider provider() {
        return plugin.flops();
    }

    @Override
    public void close() {
        if (discovered != null) {
            discovered.close();
        }
    }
}
