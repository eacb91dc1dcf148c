package io.lem.runner.plugins;

import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Run from lem's own repository, {@code ./plugins} is the folder of the plugins' Maven modules: their build outputs
 * must not be loaded as installed plugins (the example plugin would otherwise join every run).
 */
class SourceTreeIgnoredTest {

    @TempDir
    Path dir;

    @Test
    void aPluginDirectoryWithABuildFileIsASourceTreeAndIsIgnoredWithoutASkip() throws Exception {
        Path module = dir.resolve("plugins").resolve("example-constant-power").resolve("target");
        ExampleConstantPowerPluginTest.copyExamplePluginJar(module.resolve("plugin.jar"));

        try (PluginRegistry installed = discover(dir.resolve("plugins"))) {
            assertThat(installed.find(PluginKind.ENERGY, "constant-power")).as("a directory plugin").isPresent();
        }

        Files.writeString(module.getParent().resolve("pom.xml"), "<project/>");
        try (PluginRegistry sources = discover(dir.resolve("plugins"))) {
            assertThat(sources.find(PluginKind.ENERGY, "constant-power")).isEmpty();
            assertThat(sources.skipped()).isEmpty();
        }
    }

    private static PluginRegistry discover(Path pluginsDir) {
        return PluginDiscovery.builder()
                .builtIns(false)
                .directories(PluginDirectories.only(List.of(pluginsDir)))
                .build()
                .discover(PluginContext.local("node-1").withEnvironment(Map.of()));
    }
}
