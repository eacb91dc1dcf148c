package io.lem.runner.plugins;

import io.lem.api.carbon.CarbonIntensityProvider;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.flops.FlopsEstimatorProvider;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginKind;
import io.lem.runner.plugins.fixtures.Fixtures;
import io.lem.runner.plugins.fixtures.Shadowed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.lem.runner.plugins.TestJars.classes;
import static io.lem.runner.plugins.TestJars.energyProvider;
import static io.lem.runner.plugins.TestJars.jar;
import static io.lem.runner.plugins.TestJars.serviceFile;
import static io.lem.runner.plugins.TestJars.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Discovery end to end: built-in fixtures on a class path, and a plugins directory of jars built in this test (with
 * javac and java.util.jar) — one good plugin in each supported layout, and beside them one broken jar per failure
 * mode. Discovery runs once; each test checks one aspect of its result.
 */
class PluginDiscoveryTest {

    private static final String ENERGY = EnergySourceProvider.class.getName();

    @TempDir
    static Path work;

    static Path pluginsDir;
    static URLClassLoader classPath;
    static PluginRegistry registry;
    static Map<String, SkippedPlugin> skippedByFile;

    @BeforeAll
    static void buildPluginsAndDiscover() throws IOException {
        Path classes = work.resolve("classes");
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("com.example.good.GoodEnergy", energyProvider("com.example.good.GoodEnergy", "ext-good", 5,
                "  public String description() { return \"origin=\" + io.lem.runner.plugins.fixtures.Shadowed.origin(); }\n"));
        sources.put("io.lem.runner.plugins.fixtures.Shadowed", "package io.lem.runner.plugins.fixtures;\n"
                + "public final class Shadowed { public static String origin() { return \"plugin\"; } }\n");
        sources.put("com.example.good.GoodFlops", "package com.example.good;\n"
                + "import io.lem.api.flops.*;\nimport io.lem.api.plugin.*;\nimport java.util.List;\n"
                + "public class GoodFlops implements FlopsEstimatorProvider {\n"
                + "  public String name() { return \"ext-flops\"; }\n"
                + "  public String version() { return \"2.0-ext\"; }\n"
                + "  public Availability probe(PluginContext c) { return Availability.yes(); }\n"
                + "  public List<String> methods() { return List.of(\"parameter\"); }\n"
                + "  public FlopsEstimator forModel(ModelArchitecture m) throws PluginException { throw new PluginException(\"x\"); }\n"
                + "}\n");
        sources.put("com.example.ctor.CtorThrows", energyProvider("com.example.ctor.CtorThrows", "ext-ctor", 0,
                "  public CtorThrows() { throw new IllegalStateException(\"no licence key\"); }\n"));
        sources.put("com.example.noctor.NoPublicCtor", energyProvider("com.example.noctor.NoPublicCtor", "ext-no-ctor",
                0, "  public NoPublicCtor(String required) { }\n"));
        sources.put("com.example.notprovider.NotAProvider", "package com.example.notprovider;\n"
                + "public class NotAProvider { }\n");
        sources.put("com.example.dep.Dependency", "package com.example.dep;\n"
                + "public class Dependency { public static String hello() { return \"hello\"; } }\n");
        sources.put("com.example.needsdep.NeedsDependency", energyProvider("com.example.needsdep.NeedsDependency",
                "ext-needs-dep", 0, "  private final String greeting = com.example.dep.Dependency.hello();\n"));
        sources.put("com.example.dup.DupLow", energyProvider("com.example.dup.DupLow", "ext-dup", 1, ""));
        sources.put("com.example.dup.DupHigh", energyProvider("com.example.dup.DupHigh", "ext-dup", 7, ""));
        sources.put("com.example.dup.ShadowsBuiltIn", energyProvider("com.example.dup.ShadowsBuiltIn", "test-nvml",
                1000, ""));
        sources.put("com.example.badname.BadName", energyProvider("com.example.badname.BadName", "Bad Name", 0, ""));
        sources.put("com.example.probe.ProbeThrows", energyProvider("com.example.probe.ProbeThrows",
                "ext-probe-throws", 0,
                "  public Availability probe(PluginContext c) { throw new IllegalStateException(\"no device\"); }\n"));
        sources.put("com.example.exploded.ExplodedEnergy", energyProvider("com.example.exploded.ExplodedEnergy",
                "ext-exploded", 3, ""));
        sources.put("com.example.future.FutureJava", energyProvider("com.example.future.FutureJava", "ext-future", 0,
                ""));
        TestJars.compile(work, classes, sources);

        pluginsDir = Files.createDirectories(work.resolve("plugins"));
        Path good = jar(pluginsDir.resolve("good.jar"),
                classes(classes, "com.example.good.GoodEnergy", "com.example.good.GoodFlops",
                        "io.lem.runner.plugins.fixtures.Shadowed"),
                serviceFile(EnergySourceProvider.class, "com.example.good.GoodEnergy"),
                serviceFile(FlopsEstimatorProvider.class, "# comment line", "com.example.good.GoodFlops"),
                text("plugins/which.txt", "plugin\n"),
                // parent-first: never read, or loading the SPI through this plugin would fail with ClassFormatError
                text("io/lem/api/plugin/Availability.class", "not a class file"));
        byte[] goodBytes = Files.readAllBytes(good);
        Files.write(pluginsDir.resolve("truncated.jar"), java.util.Arrays.copyOf(goodBytes, goodBytes.length / 2));
        Files.writeString(pluginsDir.resolve("not-a-jar.jar"), "this is not a zip file\n");
        jar(pluginsDir.resolve("no-services.jar"), classes(classes, "com.example.notprovider.NotAProvider"));
        jar(pluginsDir.resolve("missing-class.jar"), serviceFile(EnergySourceProvider.class, "com.example.Missing"));
        jar(pluginsDir.resolve("not-a-provider.jar"), classes(classes, "com.example.notprovider.NotAProvider"),
                serviceFile(EnergySourceProvider.class, "com.example.notprovider.NotAProvider"));
        jar(pluginsDir.resolve("ctor-throws.jar"), classes(classes, "com.example.ctor.CtorThrows"),
                serviceFile(EnergySourceProvider.class, "com.example.ctor.CtorThrows"));
        jar(pluginsDir.resolve("no-public-ctor.jar"), classes(classes, "com.example.noctor.NoPublicCtor"),
                serviceFile(EnergySourceProvider.class, "com.example.noctor.NoPublicCtor"));
        Map<String, byte[]> needsDep = classes(classes, "com.example.needsdep.NeedsDependency");
        jar(pluginsDir.resolve("needs-dependency.jar"), needsDep,
                serviceFile(EnergySourceProvider.class, "com.example.needsdep.NeedsDependency"));
        // the same plugin in a directory with its dependency: one loader for all the directory's jars
        jar(pluginsDir.resolve("with-deps/needs-dependency.jar"), needsDep,
                serviceFile(EnergySourceProvider.class, "com.example.needsdep.NeedsDependency"));
        jar(pluginsDir.resolve("with-deps/lib/dependency.jar"), classes(classes, "com.example.dep.Dependency"));
        jar(pluginsDir.resolve("lib-only/dependency.jar"), classes(classes, "com.example.dep.Dependency"));
        jar(pluginsDir.resolve("dup-low.jar"), classes(classes, "com.example.dup.DupLow"),
                serviceFile(EnergySourceProvider.class, "com.example.dup.DupLow"));
        jar(pluginsDir.resolve("dup-high.jar"), classes(classes, "com.example.dup.DupHigh"),
                serviceFile(EnergySourceProvider.class, "com.example.dup.DupHigh"));
        jar(pluginsDir.resolve("shadows-built-in.jar"), classes(classes, "com.example.dup.ShadowsBuiltIn"),
                serviceFile(EnergySourceProvider.class, "com.example.dup.ShadowsBuiltIn"));
        jar(pluginsDir.resolve("foreign-class.jar"),
                serviceFile(EnergySourceProvider.class, Fixtures.TestNvml.class.getName()));
        jar(pluginsDir.resolve("bad-name.jar"), classes(classes, "com.example.badname.BadName"),
                serviceFile(EnergySourceProvider.class, "com.example.badname.BadName"));
        jar(pluginsDir.resolve("bad-service-file.jar"), classes(classes, "com.example.good.GoodEnergy"),
                serviceFile(EnergySourceProvider.class, "com.example.good.GoodEnergy and more words"));
        jar(pluginsDir.resolve("probe-throws.jar"), classes(classes, "com.example.probe.ProbeThrows"),
                serviceFile(EnergySourceProvider.class, "com.example.probe.ProbeThrows"));
        Map<String, byte[]> future = classes(classes, "com.example.future.FutureJava");
        future.values().forEach(bytes -> bytes[7] = 127); // class file major version 127: a Java from the future
        jar(pluginsDir.resolve("future-java.jar"), future,
                serviceFile(EnergySourceProvider.class, "com.example.future.FutureJava"));
        TestJars.explode(pluginsDir.resolve("exploded"), classes(classes, "com.example.exploded.ExplodedEnergy"),
                serviceFile(EnergySourceProvider.class, "com.example.exploded.ExplodedEnergy"));
        Files.writeString(pluginsDir.resolve("README.txt"), "not a plugin, ignored\n");
        Files.writeString(pluginsDir.resolve(".hidden.jar"), "ignored: hidden\n");

        classPath = new URLClassLoader(new URL[]{TestJars.fixturesRoot()}, PluginDiscoveryTest.class.getClassLoader());
        registry = PluginDiscovery.builder()
                .applicationClassLoader(classPath)
                .directories(PluginDirectories.only(List.of(pluginsDir, work.resolve("no-such-dir"))))
                .build()
                .discover(PluginContext.local("node-1").withEnvironment(Map.of()));
        skippedByFile = registry.skipped().stream().collect(Collectors.toMap(
                s -> Path.of(s.source()).getFileName().toString(), Function.identity(), (a, b) -> {
                    throw new AssertionError("two skips for one source: " + a + " / " + b);
                }));
    }

    @AfterAll
    static void close() throws IOException {
        registry.close();
        classPath.close();
    }

    private static DiscoveredPlugin plugin(PluginKind kind, String name) {
        return registry.find(kind, name).orElseThrow(() -> new AssertionError(kind + " plugin " + name
                + " not found; plugins: " + registry.plugins() + "; skipped: " + registry.skipped()));
    }

    private static SkippedPlugin skip(String file) {
        SkippedPlugin s = skippedByFile.get(file);
        assertThat(s).as(file + " skipped; skipped: " + registry.skipped()).isNotNull();
        return s;
    }

    @Test
    void builtInsAreFoundOnTheClassPathOnceWithTheirMetadataAndAvailability() {
        DiscoveredPlugin nvml = plugin(PluginKind.ENERGY, "test-nvml");
        assertThat(nvml.source()).isEqualTo(DiscoveredPlugin.BUILT_IN);
        assertThat(nvml.builtIn()).isTrue();
        assertThat(nvml.version()).isEqualTo("1.0-test");
        assertThat(nvml.rank()).isEqualTo(90);
        assertThat(nvml.scope()).isEqualTo(Scope.PROCESS);
        assertThat(nvml.available()).isTrue();
        assertThat(nvml.plugin()).isInstanceOf(Fixtures.TestNvml.class);
        assertThat(plugin(PluginKind.ENERGY, "test-cpu-model").fallbackFor()).isEqualTo("test-rapl");
        assertThat(plugin(PluginKind.FLOPS, "test-flops").plugin()).isInstanceOf(FlopsEstimatorProvider.class);
        assertThat(plugin(PluginKind.CARBON, "test-carbon-table").plugin()).isInstanceOf(CarbonIntensityProvider.class);
        assertThat(registry.plugins().stream().filter(p -> p.plugin() instanceof Fixtures.Energy))
                .as("each built-in exactly once, and none through a plugin's loader")
                .extracting(DiscoveredPlugin::name)
                .containsExactlyInAnyOrder("test-rapl", "test-nvml", "test-cpu-model", "test-ram-model",
                        "test-probe-throws")
                .doesNotHaveDuplicates();
        assertThat(registry.plugins().stream().filter(p -> p.plugin() instanceof Fixtures.Energy))
                .allSatisfy(p -> assertThat(p.source()).isEqualTo(DiscoveredPlugin.BUILT_IN));
    }

    @Test
    void aProbeThatThrowsIsListedAsUnavailableWithTheReason() {
        assertThat(plugin(PluginKind.ENERGY, "test-probe-throws").availability())
                .isEqualTo(Availability.no("probe failed: IllegalStateException: no device"));
        DiscoveredPlugin external = plugin(PluginKind.ENERGY, "ext-probe-throws");
        assertThat(external.status()).isEqualTo("unavailable: probe failed: IllegalStateException: no device");
        assertThat(external.source()).endsWith("probe-throws.jar");
    }

    @Test
    void aJarInThePluginsDirectoryLoadsInItsOwnChildFirstLoader() throws Exception {
        DiscoveredPlugin good = plugin(PluginKind.ENERGY, "ext-good");
        assertThat(good.source()).isEqualTo(pluginsDir.resolve("good.jar").toAbsolutePath().toString());
        assertThat(good.path()).contains(pluginsDir.resolve("good.jar").toAbsolutePath());
        assertThat(good.version()).isEqualTo("2.0-ext");
        ClassLoader loader = good.classLoader();
        assertThat(loader).isInstanceOf(PluginClassLoader.class)
                .isNotSameAs(ClassLoader.getSystemClassLoader())
                .isNotSameAs(PluginDiscoveryTest.class.getClassLoader())
                .isNotSameAs(classPath);
        assertThat(loader.getParent()).isSameAs(classPath);

        // child-first: the plugin's own Shadowed (origin "plugin") wins over the application's class of that name
        assertThat(good.description()).isEqualTo("origin=plugin");
        assertThat(Shadowed.origin()).isEqualTo("application");
        Class<?> shadowed = loader.loadClass(Shadowed.class.getName());
        assertThat(shadowed).isNotSameAs(Shadowed.class);
        assertThat(shadowed.getClassLoader()).isSameAs(loader);
        try (InputStream in = loader.getResourceAsStream("plugins/which.txt")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("plugin\n");
        }

        // parent-first: the SPI is the application's (the jar's bogus Availability.class is never read)
        assertThat(loader.loadClass(Availability.class.getName())).isSameAs(Availability.class);
        assertThat(good.plugin()).isInstanceOf(EnergySourceProvider.class);

        // one loader per plugin: both providers of good.jar share it, other jars have their own
        assertThat(plugin(PluginKind.FLOPS, "ext-flops").classLoader()).isSameAs(loader);
        assertThat(plugin(PluginKind.ENERGY, "ext-dup").classLoader()).isNotSameAs(loader);
    }

    @Test
    void theServiceLoaderOfAPluginSeesOnlyItsOwnServiceFiles() throws IOException {
        ClassLoader loader = plugin(PluginKind.ENERGY, "ext-good").classLoader();
        String file = "META-INF/services/" + ENERGY;
        assertThat(Collections.list(classPath.getResources(file))).as("the app has fixture service files")
                .isNotEmpty();
        assertThat(Collections.list(loader.getResources(file))).singleElement()
                .satisfies(url -> assertThat(url.toString()).contains("good.jar!"));
        assertThat(loader.getResource("META-INF/services/" + CarbonIntensityProvider.class.getName()))
                .as("the app's carbon fixture is not the plugin's").isNull();
        assertThat(registry.skipped()).noneMatch(s -> s.message().contains(Fixtures.class.getName() + "$TestRapl"));
    }

    @Test
    void explodedDirectoryAndDirectoryOfJarsAreSupportedLayouts() {
        DiscoveredPlugin exploded = plugin(PluginKind.ENERGY, "ext-exploded");
        assertThat(exploded.source()).isEqualTo(pluginsDir.resolve("exploded").toAbsolutePath().toString());
        assertThat(exploded.classLoader()).isInstanceOf(PluginClassLoader.class);

        DiscoveredPlugin withDeps = plugin(PluginKind.ENERGY, "ext-needs-dep");
        assertThat(withDeps.source()).isEqualTo(pluginsDir.resolve("with-deps").toAbsolutePath().toString());
        assertThat(withDeps.available()).isTrue();
    }

    @Test
    void eachBrokenJarIsSkippedWithItsSpecificReason() {
        assertThat(skip("not-a-jar.jar").reason()).isEqualTo(SkipReason.NOT_A_JAR);
        assertThat(skip("not-a-jar.jar").message()).startsWith("not a valid jar (zip) file: ZipException");
        assertThat(skip("truncated.jar").reason()).isEqualTo(SkipReason.NOT_A_JAR);
        assertThat(skip("no-services.jar").reason()).isEqualTo(SkipReason.NO_SERVICE_FILE);
        assertThat(skip("no-services.jar").message()).contains("META-INF/services/" + ENERGY).contains("not a lem plugin");
        assertThat(skip("lib-only").reason()).isEqualTo(SkipReason.NO_SERVICE_FILE);
        assertThat(skip("missing-class.jar").reason()).isEqualTo(SkipReason.CLASS_NOT_FOUND);
        assertThat(skip("missing-class.jar").message())
                .isEqualTo("META-INF/services/" + ENERGY + " names com.example.Missing, which is not in the plugin");
        assertThat(skip("not-a-provider.jar").reason()).isEqualTo(SkipReason.NOT_A_PROVIDER);
        assertThat(skip("not-a-provider.jar").message()).contains("com.example.notprovider.NotAProvider")
                .contains("does not implement " + ENERGY);
        assertThat(skip("ctor-throws.jar").reason()).isEqualTo(SkipReason.CONSTRUCTOR_FAILED);
        assertThat(skip("ctor-throws.jar").message()).contains("com.example.ctor.CtorThrows")
                .endsWith("IllegalStateException: no licence key");
        assertThat(skip("no-public-ctor.jar").reason()).isEqualTo(SkipReason.NO_PUBLIC_CONSTRUCTOR);
        assertThat(skip("needs-dependency.jar").reason()).isEqualTo(SkipReason.MISSING_DEPENDENCY);
        assertThat(skip("needs-dependency.jar").message()).contains("com.example.needsdep.NeedsDependency")
                .contains("needs class com.example.dep.Dependency");
        assertThat(skip("foreign-class.jar").reason()).isEqualTo(SkipReason.NOT_IN_PLUGIN);
        assertThat(skip("bad-name.jar").reason()).isEqualTo(SkipReason.INVALID_METADATA);
        assertThat(skip("bad-name.jar").message()).contains("was 'Bad Name'");
        assertThat(skip("bad-service-file.jar").reason()).isEqualTo(SkipReason.BAD_SERVICE_FILE);
        assertThat(skip("future-java.jar").reason()).isEqualTo(SkipReason.INCOMPATIBLE_CLASS);
        assertThat(skip("future-java.jar").message()).contains("newer Java");
        assertThat(skip("no-such-dir").reason()).isEqualTo(SkipReason.NOT_A_DIRECTORY);
        assertThat(registry.skipped()).allSatisfy(s -> assertThat(s.message()).doesNotContain("\n"));
    }

    @Test
    void duplicateNamesBuiltInWinsThenHigherRank() {
        DiscoveredPlugin nvml = plugin(PluginKind.ENERGY, "test-nvml");
        assertThat(nvml.builtIn()).as("a built-in wins even against a higher rank").isTrue();
        assertThat(skip("shadows-built-in.jar").reason()).isEqualTo(SkipReason.DUPLICATE_NAME);
        assertThat(skip("shadows-built-in.jar").message())
                .startsWith("energy plugin 'test-nvml' (rank 1000, com.example.dup.ShadowsBuiltIn) is also provided by "
                        + "built-in (rank 90), which wins");

        DiscoveredPlugin dup = plugin(PluginKind.ENERGY, "ext-dup");
        assertThat(dup.rank()).as("dup-high.jar (rank 7) wins over dup-low.jar (rank 1), found first").isEqualTo(7);
        assertThat(skip("dup-low.jar").reason()).isEqualTo(SkipReason.DUPLICATE_NAME);
        assertThat(skippedByFile).doesNotContainKey("dup-high.jar");
    }

    @Test
    void everythingElseLoadsAndNothingIsSkippedTwiceOrSilently() {
        assertThat(registry.plugins(PluginKind.ENERGY)).extracting(DiscoveredPlugin::name).containsSubsequence(
                "test-rapl", "test-nvml", "test-cpu-model", "ext-good", "ext-exploded");
        assertThat(skippedByFile.keySet()).containsExactlyInAnyOrder("not-a-jar.jar", "truncated.jar",
                "no-services.jar", "lib-only", "missing-class.jar", "not-a-provider.jar", "ctor-throws.jar",
                "no-public-ctor.jar", "needs-dependency.jar", "foreign-class.jar", "bad-name.jar",
                "bad-service-file.jar", "future-java.jar", "no-such-dir", "shadows-built-in.jar", "dup-low.jar");
        assertThat(skippedByFile).doesNotContainKeys("README.txt", ".hidden.jar");
    }
}
