package io.lem.runner.model.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lem.runner.model.weights.DType;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a safetensors file from float32 values, converting to F32, F16 or BF16 (round to nearest even), streaming:
 * declare every tensor up front (the header holds all offsets), then append each tensor's values in declaration order,
 * in as many pieces as convenient. Memory use is a small buffer regardless of file size.
 *
 * <p>The header is padded with spaces so that the data starts at a multiple of 8 bytes, as the format recommends.
 * Tensors are laid out in declaration order without gaps. The file is written as {@code <name>.tmp} and renamed into
 * place by a successful {@link #close()}; an incomplete write deletes it and fails.
 */
public final class SafetensorsWriter implements Closeable {

    /** A tensor to declare. */
    public record TensorSpec(String name, DType dtype, long[] shape) {
        public TensorSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dtype, "dtype");
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorSpec t && name.equals(t.name) && dtype == t.dtype
                    && Arrays.equals(shape, t.shape);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + " " + dtype + Arrays.toString(shape);
        }
    }

    /** A whole tensor in memory, for {@link #write(Path, Map, Map)}. */
    public record Tensor(DType dtype, long[] shape, float[] values) {
        public Tensor {
            shape = shape.clone();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path target;
    private final Path temp;
    private final FileChannel out;
    private final List<TensorSpec> specs;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private int current;
    private long writtenOfCurrent;
    private boolean closed;
    private boolean failed;

    private SafetensorsWriter(Path target, Path temp, FileChannel out, List<TensorSpec> specs) {
        this.target = target;
        this.temp = temp;
        this.out = out;
        this.specs = specs;
    }

    /** Declares the tensors (in file order) and writes the header. {@code metadata} may be empty, e.g. format=pt. */
    public static SafetensorsWriter create(Path path, List<TensorSpec> tensors, Map<String, String> metadata)
            throws IOException {
        Set<String> seen = new HashSet<>();
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (TensorSpec t : tensors) {
            if (t.name().equals("__metadata__") || !seen.add(t.name())) {
                throw new IllegalArgumentException("duplicate or reserved tensor name '" + t.name() + "'");
            }
            long bytes = Math.multiplyExact(t.elementCount(), (long) t.dtype().bytes());
            ObjectNode entry = header.putObject(t.name());
            entry.put("dtype", t.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (8 + json.length + 7) / 8 * 8 - 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();

        Path abs = path.toAbsolutePath();
        Path temp = abs.resolveSibling(abs.getFileName() + ".tmp");
        FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            while (head.hasRemaining()) {
                ch.write(head);
            }
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(temp);
            throw e;
        }
        SafetensorsWriter w = new SafetensorsWriter(abs, temp, ch, List.copyOf(tensors));
        w.skipEmpty();
        return w;
    }

    /** Writes every tensor of {@code tensors} (in map order) into {@code path}. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        tensors.forEach((n, t) -> specs.add(new TensorSpec(n, t.dtype(), t.shape())));
        try (SafetensorsWriter w = create(path, specs, metadata)) {
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                w.writeTensor(e.getKey(), e.getValue().values());
            }
        }
    }

    /** Writes {@code metadata = {format: pt}} as transformers does. */
    public static Map<String, String> ptMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        return m;
    }

    /** The name of the tensor the next values belong to, or null when all are written. */
    public String currentTensor() {
        return current < specs.size() ? specs.get(current).name() : null;
    }

    /** Writes all values of tensor {@code name}, which must be the next declared one and not yet started. */
    public void writeTensor(String name, float[] values) throws IOException {
        if (values.length == 0 && specs.stream().anyMatch(t -> t.name().equals(name) && t.elementCount() == 0)) {
            return; // empty tensors take no bytes and are skipped as soon as they come up
        }
        if (!name.equals(currentTensor()) || writtenOfCurrent != 0) {
            throw new IllegalStateException("next tensor to write is " + currentTensor() + ", not " + name);
        }
        if (values.length != specs.get(current).elementCount()) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + specs.get(current).elementCount()
                    + " elements, got " + values.length);
        }
        append(values, 0, values.length);
    }

    /**
     * Appends values to the current tensor, continuing into the following tensors when one is complete (a piece may
     * span several tensors).
     */
    public void append(float[] values, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, values.length);
        if (closed) {
            throw new IllegalStateException("writer is closed");
        }
        int pos = off;
        int left = len;
        while (left > 0) {
            if (current >= specs.size()) {
                failed = true;
                throw new IllegalStateException(left + " values more than the declared tensors hold");
            }
            TensorSpec spec = specs.get(current);
            int elem = spec.dtype().bytes();
            long needed = spec.elementCount() - writtenOfCurrent;
            int n = (int) Math.min(Math.min(left, needed), buffer.remaining() / elem);
            if (n == 0) {
                flush();
                continue;
            }
            HalfFloats.encode(spec.dtype(), values, pos, n, buffer);
            pos += n;
            left -= n;
            writtenOfCurrent += n;
            if (writtenOfCurrent == spec.elementCount()) {
                current++;
                writtenOfCurrent = 0;
                skipEmpty();
            }
        }
    }

    private void skipEmpty() {
        while (current < specs.size() && specs.get(current).elementCount() == 0) {
            current++;
        }
    }

    private void flush() throws IOException {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        } catch (IOException e) {
            failed = true;
            throw e;
        }
        buffer.clear();
    }

    /** Completes the file and renames it into place; fails (deleting it) when not every tensor was written. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        boolean complete = !failed && current >= specs.size();
        try {
            if (complete) {
                flush();
            }
        } finally {
            out.close();
        }
        if (!complete) {
            Files.deleteIfExists(temp);
            if (!failed) {
                throw new IOException("safetensors file " + target + " is incomplete: tensor '" + currentTensor()
                        + "' and the following were not written");
            }
            return;
        }
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
