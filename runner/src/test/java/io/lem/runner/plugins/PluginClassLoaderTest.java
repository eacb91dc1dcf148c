package io.lem.runner.plugins;

import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.plugin.Availability;
import io.lem.runner.plugins.fixtures.Shadowed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static io.lem.runner.plugins.TestJars.jar;
import static io.lem.runner.plugins.TestJars.text;
import static org.assertj.core.api.Assertions.assertThat;

/** The class loading rules of one plugin, on jars assembled from bytes (no javac needed). */
class PluginClassLoaderTest {

    private static final String SPI_SERVICE_FILE = "META-INF/services/" + EnergySourceProvider.class.getName();

    @TempDir
    Path dir;

    private static Map<String, byte[]> applicationClass(Class<?> type) throws IOException {
        String entry = type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getClassLoader().getResourceAsStream(entry)) {
            return Map.of(entry, in.readAllBytes());
        }
    }

    private static String read(URL url) throws IOException {
        try (InputStream in = url.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aClassThePluginBundlesIsLoadedFromThePluginEvenWhenTheApplicationHasIt() throws Exception {
        Path jar = jar(dir.resolve("p.jar"), applicationClass(Shadowed.class));
        try (PluginClassLoader loader = new PluginClassLoader("p.jar", List.of(jar.toUri().toURL()),
                getClass().getClassLoader())) {
            Class<?> copy = loader.loadClass(Shadowed.class.getName());
            assertThat(copy).isNotSameAs(Shadowed.class);
            assertThat(copy.getClassLoader()).isSameAs(loader);
            assertThat(loader.loadClass(Shadowed.class.getName())).as("defined once").isSameAs(copy);
            assertThat(loader.loadClass(PluginClassLoaderTest.class.getName()))
                    .as("what the plugin lacks comes from the application").isSameAs(PluginClassLoaderTest.class);
        }
    }

    @Test
    void sharedPackagesAreParentFirstAndABundledCopyIsNeverRead() throws Exception {
        Path jar = jar(dir.resolve("p.jar"),
                text("io/lem/api/plugin/Availability.class", "garbage: a ClassFormatError if ever defined"),
                text("com/fasterxml/jackson/databind/ObjectMapper.class", "garbage"),
                text("javax/annotation/processing/Processor.class", "garbage"));
        try (PluginClassLoader loader = new PluginClassLoader("p.jar", List.of(jar.toUri().toURL()),
                getClass().getClassLoader())) {
            assertThat(loader.loadClass(Availability.class.getName())).isSameAs(Availability.class);
            assertThat(loader.loadClass("com.fasterxml.jackson.databind.ObjectMapper"))
                    .isSameAs(com.fasterxml.jackson.databind.ObjectMapper.class);
            assertThat(loader.loadClass("javax.annotation.processing.Processor"))
                    .isSameAs(javax.annotation.processing.Processor.class);
        }
        assertThat(PluginClassLoader.isParentFirst("java.lang.String")).isTrue();
        assertThat(PluginClassLoader.isParentFirst("io.lem.api.energy.Scope")).isTrue();
        assertThat(PluginClassLoader.isParentFirst("io.lem.apiary.Bee")).isFalse();
        assertThat(PluginClassLoader.isParentFirst("io.lem.runner.Runner")).isFalse();
        assertThat(PluginClassLoader.isParentFirst("org.slf4j.Logger")).isFalse();
    }

    @Test
    void resourcesAreChildFirstToo() throws Exception {
        Path jar = jar(dir.resolve("p.jar"), text("plugins/which.txt", "plugin\n"),
                text("io/lem/api/lem-api-marker.txt", "plugin's copy"));
        try (PluginClassLoader loader = new PluginClassLoader("p.jar", List.of(jar.toUri().toURL()),
                getClass().getClassLoader())) {
            assertThat(read(loader.getResource("plugins/which.txt"))).isEqualTo("plugin\n");
            assertThat(Collections.list(loader.getResources("plugins/which.txt")))
                    .extracting(PluginClassLoaderTest::read).containsExactly("plugin\n", "application\n");
            assertThat(read(loader.getResource("io/lem/api/lem-api-marker.txt")))
                    .as("a parent-first path the parent lacks still comes from the plugin").isEqualTo("plugin's copy");
        }
    }

    @Test
    void spiServiceFilesComeOnlyFromThePluginOtherServiceFilesFromBoth() throws Exception {
        Path jar = jar(dir.resolve("p.jar"), text(SPI_SERVICE_FILE, "com.example.Mine\n"),
                text("META-INF/services/com.example.OtherService", "com.example.Mine\n"));
        Path empty = jar(dir.resolve("empty.jar"), text("readme.txt", "no services"));
        try (URLClassLoader app = new URLClassLoader(new URL[]{TestJars.fixturesRoot()}, getClass().getClassLoader());
             PluginClassLoader loader = new PluginClassLoader("p.jar", List.of(jar.toUri().toURL()), app);
             PluginClassLoader emptyLoader = new PluginClassLoader("empty.jar", List.of(empty.toUri().toURL()), app)) {
            assertThat(Collections.list(app.getResources(SPI_SERVICE_FILE))).isNotEmpty();

            assertThat(Collections.list(loader.getResources(SPI_SERVICE_FILE))).singleElement()
                    .satisfies(url -> assertThat(url.toString()).contains("p.jar!"));
            assertThat(Collections.list(loader.getResources("META-INF/services/com.example.OtherService")))
                    .extracting(PluginClassLoaderTest::read)
                    .containsExactly("com.example.Mine\n", TestJarsText.OTHER_SERVICE_FILE);

            assertThat(emptyLoader.getResource(SPI_SERVICE_FILE)).isNull();
            assertThat(ServiceLoader.load(EnergySourceProvider.class, emptyLoader).stream())
                    .as("the built-ins of the parent are not found again through a plugin's loader").isEmpty();
            assertThat(ServiceLoader.load(EnergySourceProvider.class, app).stream()).isNotEmpty();
        }
    }

    /** The content of {@code src/test/resources/plugins/classpath/META-INF/services/com.example.OtherService}. */
    private static final class TestJarsText {
        static final String OTHER_SERVICE_FILE = "# a service that is not part of the lem SPI: a plugin loader shows it "
                + "from the plugin and from the parent\ncom.example.Whatever\n";
    }
}
