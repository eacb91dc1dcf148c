package io.lem.runner.plugins;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.Scope;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The real jar of {@code plugins/example-constant-power}, as a third party would ship it, dropped into a plugins
 * directory beside a broken jar.
 *
 * <p>Where the jar is found, first match wins:
 * <ol>
 *   <li>system property {@code lem.example.plugin.jar} (a jar, or a classes directory);</li>
 *   <li>the test class path, when the runner declares the test-scoped dependency
 *       {@code io.lem:plugin-example-constant-power} (Maven then builds it first and resolves it: the jar from the
 *       reactor or the local repository, or {@code target/classes} when the reactor stops before {@code package});</li>
 *   <li>{@code ../plugins/example-constant-power/target/plugin-example-constant-power-*.jar}, relative to the runner
 *       module directory (the working directory of surefire).</li>
 * </ol>
 * A classes directory is jarred here, so the plugin is always loaded from a single jar in the plugins directory.
 */
public class ExampleConstantPowerPluginTest {

    private static final String PROVIDER_CLASS = "io/lem/plugins/example/ConstantPowerProvider.class";

    @TempDir
    Path tmp;

    /** The real example plugin as a jar at {@code jar}: copied, or jarred up when the reactor only compiled it. */
    public static Path copyExamplePluginJar(Path jar) throws IOException {
        Path built = locateExamplePlugin();
        Files.createDirectories(jar.getParent());
        if (Files.isDirectory(built)) {
            TestJars.jar(jar, TestJars.tree(built));
        } else {
            Files.copy(built, jar);
        }
        return jar;
    }

    static Path locateExamplePlugin() throws IOException {
        String property = System.getProperty("lem.example.plugin.jar");
        if (property != null && !property.isBlank() && Files.exists(Path.of(property))) {
            return Path.of(property);
        }
        URL onClassPath = ExampleConstantPowerPluginTest.class.getClassLoader().getResource(PROVIDER_CLASS);
        if (onClassPath != null) {
            try {
                if ("jar".equals(onClassPath.getProtocol())) {
                    String file = onClassPath.getPath();
                    return Path.of(new URL(file.substring(0, file.indexOf("!/"))).toURI());
                }
                if ("file".equals(onClassPath.getProtocol())) {
                    Path classFile = Path.of(onClassPath.toURI());
                    return classFile.getRoot().resolve(classFile.subpath(0,
                            classFile.getNameCount() - Path.of(PROVIDER_CLASS).getNameCount()));
                }
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
        }
        Path target = Path.of("").toAbsolutePath().resolve("../plugins/example-constant-power/target").normalize();
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                List<Path> jars = files.filter(p -> p.getFileName().toString()
                        .matches("plugin-example-constant-power-[0-9][^-]*(-SNAPSHOT)?\\.jar")).sorted().toList();
                if (!jars.isEmpty()) {
                    return jars.get(jars.size() - 1);
                }
            }
        }
        return fail("the example plugin jar is not built: run ./mvnw -pl plugins/example-constant-power install "
                + "(or add the test-scoped dependency io.lem:plugin-example-constant-power to runner/pom.xml), "
                + "or pass -Dlem.example.plugin.jar=<jar>");
    }

    @Test
    void theRealExampleJarLoadsFromAPluginsDirectoryMeasuresAndABrokenJarBesideItIsSkipped() throws Exception {
        Path pluginsDir = Files.createDirectories(tmp.resolve("plugins"));
        Path jar = copyExamplePluginJar(pluginsDir.resolve("plugin-example-constant-power.jar"));
        Files.write(pluginsDir.resolve("broken.jar"), new byte[]{'P', 'K', 3, 4, 0, 0, 0});

        PluginContext context = PluginContext.local("node-7").withEnvironment(Map.of()).withLocalRank(1);
        try (PluginRegistry registry = PluginDiscovery.builder()
                .builtIns(false) // the class may be on the test class path too: only the jar copy counts here
                .directories(PluginDirectories.only(List.of(pluginsDir)))
                .build()
                .discover(context)) {

            assertThat(registry.skipped()).singleElement().satisfies(s -> {
                assertThat(s.source()).isEqualTo(pluginsDir.resolve("broken.jar").toAbsolutePath().toString());
                assertThat(s.reason()).isEqualTo(SkipReason.NOT_A_JAR);
                assertThat(s.message()).startsWith("not a valid jar (zip) file: ");
            });

            DiscoveredPlugin plugin = registry.find(PluginKind.ENERGY, "constant-power").orElseThrow(
                    () -> new AssertionError("constant-power not found: " + registry.plugins()));
            assertThat(plugin.source()).isEqualTo(jar.toAbsolutePath().toString());
            assertThat(plugin.version()).isEqualTo("0.1.0");
            assertThat(plugin.scope()).isEqualTo(Scope.PROCESS);
            assertThat(plugin.fallbackFor()).isNull();
            assertThat(plugin.status()).isEqualTo("available");
            assertThat(plugin.description()).contains("constant-power.watts");
            assertThat(plugin.classLoader()).isInstanceOf(PluginClassLoader.class)
                    .isNotSameAs(getClass().getClassLoader());
            assertThat(registry.selectEnergy(List.of("constant-power"), List.of()).names())
                    .as("PROCESS scope: runs on local rank 1").containsExactly("constant-power");

            double watts = 42.0;
            String key = "const:node-7:0";
            try (EnergySource source = plugin.energy().open(context)) {
                assertThat(source.pluginName()).isEqualTo("constant-power");
                assertThat(source.devices()).extracting(d -> d.key()).containsExactly(key);
                assertThat(source.readPowerWatts()).containsEntry(key, watts);

                // the reading happens somewhere in [before, after]: bound the energy by the clock on both sides
                long before1 = System.nanoTime();
                EnergyCounter first = source.readEnergy().get(key);
                long after1 = System.nanoTime();
                long spinUntil = after1 + 20_000_000L; // 20 ms of busy waiting: time passes, no sleep
                while (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                }
                long before2 = System.nanoTime();
                EnergyCounter second = source.readEnergy().get(key);
                long after2 = System.nanoTime();

                assertThat(second.method()).isEqualTo(EnergyMethod.MODEL);
                double grew = second.energyJoules() - first.energyJoules();
                double slack = 1e-9;
                assertThat(grew).isBetween(watts * (before2 - after1) / 1e9 - slack,
                        watts * (after2 - before1) / 1e9 + slack);
                assertThat(grew).as("42 W for at least 20 ms").isGreaterThanOrEqualTo(watts * 0.020 - slack);
            }
        }
    }
}
