package io.lem.runner.plugins;

import io.lem.api.plugin.PluginContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PluginDirectoriesTest {

    @TempDir
    Path tmp;

    @Test
    void explicitDirectoriesFirstThenWorkingDirectoryThenHome() {
        Path cwd = tmp.resolve("work");
        Path home = tmp.resolve("home");
        Path extra = tmp.resolve("extra");
        PluginDirectories dirs = PluginDirectories.resolve(List.of(extra), Map.of(), cwd, home);
        assertThat(dirs.searchOrder()).containsExactly(extra, cwd.resolve("plugins"), home.resolve(".lem/plugins"));
        assertThat(dirs.isExplicit(extra)).isTrue();
        assertThat(dirs.isExplicit(cwd.resolve("plugins"))).isFalse();
    }

    @Test
    void lemHomeReplacesDotLem() {
        Path home = tmp.resolve("home");
        Path lemHome = tmp.resolve("opt/lem");
        assertThat(PluginDirectories.resolve(List.of(), Map.of("LEM_HOME", lemHome.toString()), tmp, home).defaults())
                .containsExactly(tmp.resolve("plugins"), lemHome.resolve("plugins"));
        assertThat(PluginDirectories.resolve(List.of(), Map.of("LEM_HOME", "  "), tmp, home).defaults())
                .as("blank LEM_HOME is unset").containsExactly(tmp.resolve("plugins"), home.resolve(".lem/plugins"));
    }

    @Test
    void aDirectoryReachedTwiceIsSearchedOnce() throws IOException {
        Path home = tmp.resolve("home");
        Path dotLem = Files.createDirectories(home.resolve(".lem/plugins")).getParent();
        PluginDirectories dirs = PluginDirectories.resolve(List.of(dotLem.resolve("plugins/../plugins")), Map.of(),
                dotLem, home);
        assertThat(dirs.searchOrder()).hasSize(1);
    }

    @Test
    void missingDefaultDirectoriesAreSilentAMissingExplicitOneIsReported() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        try (PluginRegistry registry = PluginDiscovery.builder()
                .builtIns(false)
                .directories(new PluginDirectories(List.of(tmp.resolve("missing"), file),
                        List.of(tmp.resolve("no-default"))))
                .build()
                .discover(PluginContext.local("h").withEnvironment(Map.of()))) {
            assertThat(registry.plugins()).isEmpty();
            assertThat(registry.skipped()).extracting(SkippedPlugin::source, SkippedPlugin::reason,
                    SkippedPlugin::message).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(tmp.resolve("missing").toString(), SkipReason.NOT_A_DIRECTORY,
                            "plugins directory does not exist"),
                    org.assertj.core.groups.Tuple.tuple(file.toString(), SkipReason.NOT_A_DIRECTORY,
                            "plugins directory is a file: pass the directory that holds plugin jars"));
        }
    }
}
