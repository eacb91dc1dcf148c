package io.lem.plugins.rapl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The counters' reader on the sampling path: each {@code energy_uj} file is opened once and then read with one
 * positional read at offset 0 into a reused buffer, parsed from the bytes. Why: {@link SysfsReader#FILES} pays an
 * open, a stat, a read, a close and two Strings per call, several hundred microseconds per tick for four domains
 * when the power sampler wakes with cold caches. A sysfs attribute read at offset 0 is generated afresh by the
 * kernel on every read, so the open file always shows the current count.
 */
final class OpenCounterFiles implements SysfsReader, AutoCloseable {

    /** An energy count is at most 20 digits and a newline. */
    private static final int MAX_BYTES = 64;

    private final Map<Path, FileChannel> channels = new HashMap<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(MAX_BYTES);
    private boolean closed;

    @Override
    public synchronized String read(Path path) throws IOException {
        int n = readBytes(path);
        return new String(buffer.array(), 0, n, StandardCharsets.US_ASCII).trim();
    }

    @Override
    public synchronized long readLong(Path path) throws IOException {
        int n = readBytes(path);
        byte[] bytes = buffer.array();
        int i = 0;
        while (i < n && Character.isWhitespace(bytes[i])) {
            i++;
        }
        int end = n;
        while (end > i && Character.isWhitespace(bytes[end - 1])) {
            end--;
        }
        if (i == end || end - i > 19) {
            throw notANumber(path, n);
        }
        long value = 0;
        for (int k = i; k < end; k++) {
            int digit = bytes[k] - '0';
            if (digit < 0 || digit > 9) {
                throw notANumber(path, n);
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private IOException notANumber(Path path, int n) {
        return new IOException(path + ": not a number: '"
                + new String(buffer.array(), 0, n, StandardCharsets.US_ASCII).trim() + "'");
    }

    /** The file's whole content into {@link #buffer}; its length. */
    private int readBytes(Path path) throws IOException {
        if (closed) {
            throw new IOException(path + ": the RAPL source is closed");
        }
        FileChannel channel = channels.get(path);
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.READ); // AccessDeniedException as Files.readString
            channels.put(path, channel);
        }
        buffer.clear();
        long position = 0;
        int n;
        while (buffer.hasRemaining() && (n = channel.read(buffer, position)) > 0) {
            position += n;
        }
        if (!buffer.hasRemaining()) {
            throw new IOException(path + ": longer than " + MAX_BYTES + " bytes, not an energy counter");
        }
        return buffer.position();
    }

    /** Closes every open file. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        for (FileChannel channel : channels.values()) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing a read-only sysfs file: nothing to lose
            }
        }
        channels.clear();
    }
}
