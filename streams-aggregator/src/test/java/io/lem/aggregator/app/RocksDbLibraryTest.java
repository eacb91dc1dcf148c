package io.lem.aggregator.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RocksDB's library comes from lem's directory, and an aggregator JVM killed outright leaves nothing in the temp
 * directory. Each case runs in a JVM of its own, with a temp directory of its own, killed with SIGKILL.
 */
@EnabledOnOs(OS.LINUX) // /proc/self/maps
class RocksDbLibraryTest {
    @TempDir
    Path tmp;

    @Test
    void loadsFromItsDirectoryAndLeavesNothingInTmpWhenKilled() throws Exception {
        Path nativeDir = tmp.resolve("native");
        Child first = run(nativeDir.toString(), "first");
        Path loaded = Path.of(first.value("loaded-from"));
        assertThat(loaded).startsWith(nativeDir).isRegularFile();
        assertThat(first.values("mapped")).containsExactly(loaded.toString());
        assertThat(first.value("value")).isEqualTo("v");
        assertThat(librariesIn(first.tmpDir)).as("RocksDB copies in the child's java.io.tmpdir").isEmpty();
        try (Stream<Path> files = Files.list(loaded.getParent())) {
            assertThat(files).as("no partial file left beside the library").containsExactly(loaded);
        }

        // a second process uses the same file: not written again
        Object inode = Files.getAttribute(loaded, "unix:ino");
        long modified = Files.getLastModifiedTime(loaded).toMillis();
        Child second = run(nativeDir.toString(), "second");
        assertThat(second.value("loaded-from")).isEqualTo(loaded.toString());
        assertThat(Files.getAttribute(loaded, "unix:ino")).isEqualTo(inode);
        assertThat(Files.getLastModifiedTime(loaded).toMillis()).isEqualTo(modified);
        assertThat(librariesIn(second.tmpDir)).isEmpty();
    }

    @Test
    void withoutADirectoryRocksDbsOwnCopyIsLeftBehindByAKill() throws Exception {
        // the leak this class exists for: RocksDB deletes its copy only at a normal exit
        Child child = run("-", "control");
        assertThat(child.value("loaded-from")).isEqualTo("null");
        assertThat(child.value("value")).isEqualTo("v");
        assertThat(librariesIn(child.tmpDir)).hasSize(1);
    }

    @Test
    void aDirectoryThatCannotBeUsedLeavesTheLoadingToRocksDb() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("a-file"), "x");
        Child child = run(notADirectory.toString(), "fallback");
        assertThat(child.value("loaded-from")).isEqualTo("null");
        assertThat(child.value("value")).isEqualTo("v");
        assertThat(child.values("mapped")).singleElement().asString().startsWith(child.tmpDir.toString());
    }

    private static List<Path> librariesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("librocksdbjni")).toList();
        }
    }

    /** Starts a child, reads its lines until "ready", kills it with SIGKILL and waits for it to be gone. */
    private Child run(String nativeDir, String name) throws Exception {
        Path tmpDir = Files.createDirectories(tmp.resolve(name + "-tmp"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + tmpDir,
                "-cp", System.getProperty("java.class.path"), RocksDbLibraryMain.class.getName(), nativeDir,
                tmp.resolve(name + "-db").toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                lines.add(line);
            }
            assertThat(line).as("child output: %s", lines).isEqualTo("ready");
        } finally {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("child killed").isTrue();
        }
        return new Child(lines, tmpDir);
    }

    private record Child(List<String> lines, Path tmpDir) {
        List<String> values(String key) {
            return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1)).toList();
        }

        String value(String key) {
            List<String> values = values(key);
            assertThat(values).as("'%s' in the child's output %s", key, lines).hasSize(1);
            return values.get(0);
        }
    }
}
