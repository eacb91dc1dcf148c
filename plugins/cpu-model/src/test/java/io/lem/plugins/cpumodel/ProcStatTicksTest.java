package io.lem.plugins.cpumodel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcStatTicksTest {

    @TempDir
    Path dir;

    private Path stat(String text) throws IOException {
        Path file = dir.resolve("stat");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void readsTheAggregateLineAndEveryProcessorLineByNumber() throws IOException {
        Path file = stat("cpu  100 1 20 500 3 4 5 6 7 8\n"
                + "cpu0 60 1 10 250 2 2 3 3 0 0\n"
                + "cpu1 40 0 10 250 1 2 2 3 0 0\n"
                + "cpu3 9 9 9 9 9 9 9 9 0 0\n"             // cpu2 is offline: no line
                + "intr 123456 0 1 2 3\nctxt 999\nbtime 1700000000\n");
        try (ProcStatTicks ticks = new ProcStatTicks(file)) {
            assertThat(ticks.system()[0]).containsExactly(100, 1, 20, 500, 3, 4, 5, 6);
            long[][] per = ticks.perProcessor(4);
            assertThat(per[0]).containsExactly(60, 1, 10, 250, 2, 2, 3, 3);
            assertThat(per[1]).containsExactly(40, 0, 10, 250, 1, 2, 2, 3);
            assertThat(per[2]).containsOnly(0L);
            assertThat(per[3]).containsExactly(9, 9, 9, 9, 9, 9, 9, 9);
        }
    }

    @Test
    void rereadsTheSameOpenFileAndGrowsItsBufferForManyProcessors() throws IOException {
        StringBuilder big = new StringBuilder("cpu  1 2 3 4 5 6 7 8 0 0\n");
        for (int n = 0; n < 400; n++) {                    // ~20 KB: more than the first buffer
            big.append("cpu").append(n).append(' ').append(n).append(" 0 0 1000 0 0 0 0 0 0\n");
        }
        Path file = stat("cpu  1 1 1 1\n");                 // an old kernel's four columns: the rest read 0
        try (ProcStatTicks ticks = new ProcStatTicks(file)) {
            assertThat(ticks.system()[0]).containsExactly(1, 1, 1, 1, 0, 0, 0, 0);
            Files.writeString(file, big);
            long[][] per = ticks.perProcessor(400);
            assertThat(per[399][0]).isEqualTo(399);
            assertThat(per[200][3]).isEqualTo(1000);
            assertThat(ticks.system()[0]).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        }
    }

    @Test
    void aFileWithoutTheCpuLineIsAClearError() throws IOException {
        try (ProcStatTicks ticks = new ProcStatTicks(stat("intr 1 2 3\n"))) {
            assertThatThrownBy(ticks::system).hasMessageContaining("does not start with the aggregate 'cpu' line");
        }
    }

    @Test
    void utilizationPerPackageFromTwoReadsOfTheFile() throws IOException {
        Path file = stat("cpu  0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0\n");
        CpuTopology twoSockets = new CpuTopology("X", List.of(0, 1), List.of(0, 1), false);
        try (OshiPackageUtilization u = new OshiPackageUtilization(null, twoSockets, file)) {
            // cpu0: 30 user + 10 system + 10 irq busy of 100; cpu1: 5 nice busy, 5 steal not busy, of 20
            Files.writeString(file, "cpu  0 0 0 0 0 0 0 0\ncpu0 30 0 10 50 0 10 0 0\ncpu1 0 5 0 10 0 0 0 5\n");
            double[] busy = u.sinceLastCall();
            assertThat(busy[0]).isCloseTo(0.5, within(1e-12));
            assertThat(busy[1]).isCloseTo(0.25, within(1e-12));
            assertThat(u.sinceLastCall()).containsExactly(Double.NaN, Double.NaN); // counters did not move
        }
    }

    @Test
    void theRealProcStatParsesOnLinux() throws IOException {
        assumeTrue(Files.isReadable(OshiPackageUtilization.PROC_STAT), "no /proc/stat here");
        try (ProcStatTicks ticks = new ProcStatTicks(OshiPackageUtilization.PROC_STAT)) {
            long[] all = ticks.system()[0];
            assertThat(all[0] + all[2] + all[3]).isPositive();  // user + system + idle since boot
        }
    }
}
