package io.lem.runner.events;

import io.lem.api.event.DecodeResult;
import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Reads event files (JSONL written by {@link FileEventSink}, or spools) line by line, keeping each line's bytes. */
final class JsonlEventFile {

    /**
     * One non-blank line.
     *
     * @param file   the file
     * @param number 1-based line number
     * @param bytes  the line as written, without its line break
     * @param event  the decoded event, null when malformed
     * @param error  why the line is malformed, null when it decoded
     */
    record Line(Path file, long number, byte[] bytes, DecodeResult event, String error) {
        /** {@code file:line: reason}, as import reports list it. */
        String problem() {
            return file + ":" + number + ": " + error;
        }
    }

    interface LineVisitor {
        void visit(Line line) throws IOException;
    }

    private JsonlEventFile() {
    }

    /** Regular files as given; directories contribute their {@code *.jsonl} files, sorted by name. */
    static List<Path> expand(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> list = Files.list(path)) {
                    list.filter(Files::isRegularFile)
                            .filter(f -> f.getFileName().toString().endsWith(".jsonl"))
                            .sorted()
                            .forEach(files::add);
                }
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                throw new NoSuchFileException(path.toString(), null, "no such event file or directory");
            }
        }
        return files;
    }

    static void forEach(Path file, EventCodec codec, LineVisitor visitor) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            ByteArrayOutputStream current = new ByteArrayOutputStream(512);
            long number = 0;
            int read;
            while ((read = in.read(buffer)) != -1) {
                int lineStart = 0;
                for (int i = 0; i < read; i++) {
                    if (buffer[i] == '\n') {
                        current.write(buffer, lineStart, i - lineStart);
                        number++;
                        emit(file, number, current.toByteArray(), false, codec, visitor);
                        current.reset();
                        lineStart = i + 1;
                    }
                }
                current.write(buffer, lineStart, read - lineStart);
            }
            if (current.size() > 0) {
                emit(file, number + 1, current.toByteArray(), true, codec, visitor);
            }
        }
    }

    private static void emit(Path file, long number, byte[] raw, boolean unterminated, EventCodec codec,
                             LineVisitor visitor) throws IOException {
        byte[] bytes = raw.length > 0 && raw[raw.length - 1] == '\r' ? Arrays.copyOf(raw, raw.length - 1) : raw;
        if (isBlank(bytes)) {
            return;
        }
        try {
            visitor.visit(new Line(file, number, bytes, codec.decode(bytes), null));
        } catch (EventFormatException e) {
            String reason = e.getMessage();
            if (unterminated) {
                // A crash mid-write leaves exactly this: a last line without its newline.
                reason += " (last line has no line break: the writer probably stopped mid-line)";
            }
            visitor.visit(new Line(file, number, bytes, null, reason));
        }
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
