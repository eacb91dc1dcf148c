package io.lem.runner.measure;

import io.lem.api.energy.MemoryReading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The process's own memory from a {@code /proc} tree laid out as Linux does (a fake one, and the real one). */
class ProcessMemoryTest {

    @TempDir
    Path proc;

    static Path fakeProc(Path root, String status, String meminfo) throws IOException {
        Files.createDirectories(root.resolve("self"));
        Files.writeString(root.resolve("self").resolve("status"), status);
        if (meminfo != null) {
            Files.writeString(root.resolve("meminfo"), meminfo);
        }
        return root;
    }

    @Test
    void readsTheResidentSetItsPeakAndTheHostsMemory() throws IOException {
        fakeProc(proc, "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  812345 kB\nVmRSS:\t  700000 kB\nThreads:\t40\n",
                "MemTotal:       24586240 kB\nMemFree:         1000000 kB\n");

        ProcessMemory memory = ProcessMemory.of(proc, "node-1", 3);
        Optional<MemoryReading> reading = memory.read();

        assertThat(memory.deviceKey()).isEqualTo("rss:node-1:process-3");
        assertThat(reading).contains(new MemoryReading("rss:node-1:process-3", 700_000L * 1024, 812_345L * 1024,
                24_586_240L * 1024));
    }

    @Test
    void readsAgainEachTime() throws IOException {
        fakeProc(proc, "VmHWM:\t100 kB\nVmRSS:\t100 kB\n", null);
        ProcessMemory memory = ProcessMemory.of(proc, "h", 0);
        assertThat(memory.read().orElseThrow().usedBytes()).isEqualTo(100 * 1024);

        Files.writeString(proc.resolve("self").resolve("status"), "VmHWM:\t300 kB\nVmRSS:\t200 kB\n");

        MemoryReading later = memory.read().orElseThrow();
        assertThat(later.usedBytes()).isEqualTo(200 * 1024);
        assertThat(later.peakBytes()).isEqualTo(300 * 1024);
        assertThat(later.totalBytes()).as("no meminfo: capacity unknown").isNull();
    }

    @Test
    void nothingReadableMeansNoReadingNeverZero() throws IOException {
        assertThat(ProcessMemory.of(proc.resolve("absent"), "h", 0).read()).isEmpty();
        fakeProc(proc, "VmRSS:\t100 kB\n", null);
        assertThat(ProcessMemory.of(proc, "h", 0).read()).as("no high-water mark").isEmpty();
        Files.writeString(proc.resolve("self").resolve("status"), "VmHWM:\tlots kB\nVmRSS:\t100 kB\n");
        assertThat(ProcessMemory.of(proc, "h", 0).read()).isEmpty();
        Files.writeString(proc.resolve("self").resolve("status"), "VmHWM:\t100 MB\nVmRSS:\t100 kB\n");
        assertThat(ProcessMemory.of(proc, "h", 0).read()).as("a unit it does not know").isEmpty();
    }

    @Test
    void theRealProcOfThisJvmWhereThereIsOne() {
        Path real = Path.of("/proc");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(real.resolve("self").resolve("status")),
                "no /proc here (not Linux)");
        MemoryReading reading = ProcessMemory.of(real, "h", 0).read().orElseThrow();
        long heapInUse = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertThat(reading.usedBytes()).isPositive();
        assertThat(reading.peakBytes()).isGreaterThanOrEqualTo(reading.usedBytes()).isGreaterThan(heapInUse / 2);
        assertThat(reading.totalBytes()).isGreaterThan(reading.peakBytes());
    }
}
