package io.lem.runner.events;

import io.lem.api.event.EventCodec;
import io.lem.api.event.LemEvent;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes events as JSONL (one encoded event per line) for offline runs; {@code lem events import} pushes the file into
 * Kafka later. Appends to an existing file. {@link #flush()} fsyncs. Thread-safe.
 */
public final class FileEventSink implements EventSink {
    private static final int BUFFER_BYTES = 64 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final OutputStream out;
    private final EventCodec codec = new EventCodec();
    private boolean closed;

    private FileEventSink(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
    }

    /** Opens (creating it and its parent directories if needed) a JSONL file to append events to. */
    public static FileEventSink open(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        return new FileEventSink(path, channel);
    }

    public Path path() {
        return path;
    }

    @Override
    public void send(LemEvent event) {
        byte[] encoded = codec.encode(event);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("event file " + path + " is closed");
            }
            try {
                out.write(encoded);
                out.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write event to " + path, e);
            }
        }
    }

    @Override
    public synchronized void flush() {
        if (closed) {
            return;
        }
        try {
            out.flush();
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush event file " + path, e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        flush();
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close event file " + path, e);
        }
    }
}
