package io.lem.plugins.cpumodel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The kernel's CPU time counters read straight from {@code /proc/stat}, for the sampling hot path: one positional
 * read of an open file into a reused buffer and a hand-rolled parse of the {@code cpu} lines only. OSHI's reader
 * does the same job through a list of strings and a regex split, which cost ~500 µs of CPU per call on the
 * development VM once its code had gone cold between 100 ms samples; this costs a few tens.
 *
 * <p>Columns are {@code user nice system idle iowait irq softirq steal}, in that order, which is also the order of
 * OSHI's {@code TickType} indices, so both readers feed {@link OshiPackageUtilization} alike. The {@code cpu} line
 * includes guest time in {@code user}/{@code nice}, so the guest columns are not read.
 *
 * <p>{@code pread} at offset 0 makes the kernel regenerate the file, so the channel stays open between reads. Not
 * thread-safe; the caller serializes.
 */
final class ProcStatTicks implements AutoCloseable {

    static final int COLUMNS = 8;

    private final Path path;
    private final FileChannel channel;
    private ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);

    ProcStatTicks(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
    }

    /** The aggregate {@code cpu} line: {@code [1][COLUMNS]}. */
    long[][] system() {
        long[][] ticks = new long[1][COLUMNS];
        read();
        int pos = 0;
        int end = buffer.limit();
        byte[] bytes = buffer.array();
        if (!startsWithCpu(bytes, pos, end) || pos + 3 >= end || bytes[pos + 3] != ' ') {
            throw new IllegalStateException(path + " does not start with the aggregate 'cpu' line");
        }
        parseColumns(bytes, pos + 3, end, ticks[0]);
        return ticks;
    }

    /**
     * The {@code cpuN} lines, indexed by N ({@code [logical][COLUMNS]}); a processor with no line (offline) reads 0.
     */
    long[][] perProcessor(int logical) {
        long[][] ticks = new long[logical][COLUMNS];
        read();
        byte[] bytes = buffer.array();
        int end = buffer.limit();
        int pos = 0;
        while (pos < end && startsWithCpu(bytes, pos, end)) {
            int p = pos + 3;
            if (p < end && bytes[p] >= '0' && bytes[p] <= '9') {
                int n = 0;
                while (p < end && bytes[p] >= '0' && bytes[p] <= '9') {
                    n = n * 10 + (bytes[p++] - '0');
                }
                if (n < logical) {
                    parseColumns(bytes, p, end, ticks[n]);
                }
            }
            while (pos < end && bytes[pos] != '\n') {
                pos++;
            }
            pos++;
        }
        return ticks;
    }

    /** Reads the whole file into {@link #buffer}, growing it if the file does not fit (hosts with many CPUs). */
    private void read() {
        try {
            while (true) {
                buffer.clear();
                long position = 0;
                int n;
                while ((n = channel.read(buffer, position)) > 0) {
                    position += n;
                    if (!buffer.hasRemaining()) {
                        break;
                    }
                }
                if (buffer.hasRemaining()) {
                    buffer.flip();
                    return;
                }
                buffer = ByteBuffer.allocate(buffer.capacity() * 2);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private static boolean startsWithCpu(byte[] b, int pos, int end) {
        return pos + 3 <= end && b[pos] == 'c' && b[pos + 1] == 'p' && b[pos + 2] == 'u';
    }

    /** Parses up to {@link #COLUMNS} space-separated numbers from {@code pos} to the end of the line. */
    private static void parseColumns(byte[] b, int pos, int end, long[] into) {
        Arrays.fill(into, 0);
        int column = 0;
        while (pos < end && b[pos] != '\n' && column < COLUMNS) {
            if (b[pos] == ' ') {
                pos++;
                continue;
            }
            long v = 0;
            int start = pos;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                v = v * 10 + (b[pos++] - '0');
            }
            if (pos == start) {
                throw new IllegalStateException("unexpected character '" + (char) b[pos] + "' in a cpu line of "
                        + "/proc/stat");
            }
            into[column++] = v;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // read-only file: nothing was buffered, nothing to lose
        }
    }
}
