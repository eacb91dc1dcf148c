package io.lem.plugins.nvml;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.lem.api.plugin.PluginContext;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fake NVML of {@code src/test/c/nvml_stub.c}, compiled with gcc once per test JVM into a temporary directory, and
 * its control functions. Tests that need it are skipped where gcc is missing.
 */
final class NvmlStub {

    /** The stub's own exports: scripting and inspection. */
    public interface Control extends Library {
        int stub_load_script(String path);

        int stub_apply(String line);

        long stub_origin_ns();

        long stub_calls(String function);

        int stub_init_depth();
    }

    private static NvmlStub current;
    private static NvmlStub oldDriver;

    private final Path library;
    private final Path script;
    private final Control control;

    private NvmlStub(Path library) {
        this.library = library;
        this.script = library.resolveSibling("script.txt");
        this.control = Native.load(library.toString(), Control.class);
    }

    /** The stub of a current driver, built on first use. */
    static synchronized NvmlStub get() throws IOException, InterruptedException {
        if (current == null) {
            current = new NvmlStub(compile());
        }
        return current;
    }

    /** A stub of an old driver, without nvmlDeviceGetTotalEnergyConsumption and nvmlDeviceGetMigMode. */
    static synchronized NvmlStub oldDriver() throws IOException, InterruptedException {
        if (oldDriver == null) {
            oldDriver = new NvmlStub(compile("-DSTUB_OLD_DRIVER"));
        }
        return oldDriver;
    }

    private static Path compile(String... defines) throws IOException, InterruptedException {
        Assumptions.assumeTrue(gccAvailable(), "gcc not found: cannot build the NVML stub");
        Path source = Path.of(System.getProperty("basedir", ".")).resolve("src/test/c/nvml_stub.c").toAbsolutePath();
        Path dir = Files.createTempDirectory("lem-nvml-stub");
        Path library = dir.resolve("libnvidia-ml.so.1");
        List<String> command = new ArrayList<>(List.of("gcc", "-shared", "-fPIC", "-O2", "-Wall"));
        command.addAll(List.of(defines));
        command.addAll(List.of("-o", library.toString(), source.toString(), "-lm", "-lpthread"));
        Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor()).as("gcc output: %s", output).isZero();
        // deleted at exit in reverse order of registration: the directory last, once it is empty
        dir.toFile().deleteOnExit();
        dir.resolve("script.txt").toFile().deleteOnExit();
        library.toFile().deleteOnExit();
        return library;
    }

    private static boolean gccAvailable() {
        try {
            Process p = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Resets the stub and applies these lines (see the C file for the keys); t = 0 of power curves is now. */
    void script(String... lines) throws IOException {
        Files.write(script, String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
        assertThat(control.stub_load_script(script.toString())).as("stub script %s", String.join(" | ", lines)).isZero();
    }

    /** Changes the scripted state now, e.g. {@code device=0 energy_mj=1250}. */
    void apply(String line) {
        assertThat(control.stub_apply(line)).as("stub line %s", line).isZero();
    }

    long calls(String function) {
        return control.stub_calls(function);
    }

    /** Successful inits minus shutdowns since the script was loaded. */
    int initDepth() {
        return control.stub_init_depth();
    }

    /** Seconds on the stub's power-curve clock for a {@link System#nanoTime()} value (same clock on Linux). */
    double curveSeconds(long nanoTime) {
        return (nanoTime - control.stub_origin_ns()) * 1e-9;
    }

    PluginContext context(Duration interval, Map<String, String> environment, Map<String, String> extraSettings) {
        Map<String, String> settings = new HashMap<>(extraSettings);
        settings.put(NvmlSettings.LIBRARY, library.toString());
        return new PluginContext("test-host", 0, interval, settings, environment);
    }

    PluginContext context(Map<String, String> environment) {
        return context(Duration.ofMillis(100), environment, Map.of());
    }

    PluginContext context() {
        return context(Map.of());
    }

    /** Waits for a condition, polling; fails after 10 s. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("timed out waiting for " + what).isNegative();
            Thread.sleep(5);
        }
    }
}
