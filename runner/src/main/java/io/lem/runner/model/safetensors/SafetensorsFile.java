package io.lem.runner.model.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.runner.model.weights.DType;
import io.lem.runner.model.weights.TensorInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One safetensors file, memory-mapped privately (copy-on-write, {@link FileChannel.MapMode#PRIVATE}) so that nothing
 * written through a mapped buffer can reach the file or fault. Files that cannot be opened for writing (read-only
 * files or file systems) are mapped read-only instead, and {@link #rawBytes} then hands out copies.
 *
 * <p>The header is validated completely when the file is opened: the 8-byte length, the JSON, every tensor's dtype,
 * shape and byte range, and that the ranges neither overlap nor leave gaps in the data section. Files up to 2 GiB are
 * mapped once; larger ones (a 7B shard is ~10 GB) are mapped per read in windows of at most 1 GiB.
 *
 * <p>Reads are thread-safe. {@link TensorInfo#file()} is the file's name without directory.
 */
public final class SafetensorsFile implements SafetensorsStore {

    /** Header size limit, as the reference implementation has it. */
    public static final long MAX_HEADER_BYTES = 100L * 1000 * 1000;
    static final long WHOLE_MAP_LIMIT = Integer.MAX_VALUE;
    static final int WINDOW_BYTES = 1 << 30;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Bits per element of every dtype the safetensors format defines; only F32/F16/BF16 are converted. */
    private static final Map<String, Integer> KNOWN_DTYPE_BITS = Map.ofEntries(
            Map.entry("BOOL", 8), Map.entry("U8", 8), Map.entry("I8", 8), Map.entry("F8_E5M2", 8),
            Map.entry("F8_E4M3", 8), Map.entry("F8_E8M0", 8), Map.entry("I16", 16), Map.entry("U16", 16),
            Map.entry("F16", 16), Map.entry("BF16", 16), Map.entry("I32", 32), Map.entry("U32", 32),
            Map.entry("F32", 32), Map.entry("F64", 64), Map.entry("I64", 64), Map.entry("U64", 64),
            Map.entry("C64", 64), Map.entry("F4", 4), Map.entry("F6_E2M3", 6), Map.entry("F6_E3M2", 6));

    private record Entry(TensorInfo info, long begin, long end) {
        long length() {
            return end - begin;
        }
    }

    private final Path path;
    private final String fileName;
    private final FileChannel channel;
    private final FileChannel.MapMode mode;
    private final long dataStart;
    private final MappedByteBuffer whole;
    private final int windowBytes;
    private final Map<String, Entry> tensors;
    private final Set<String> names;
    private final Map<String, String> unsupported;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafetensorsFile(Path path, FileChannel channel, FileChannel.MapMode mode, long dataStart,
            MappedByteBuffer whole, int windowBytes, Map<String, Entry> tensors, Map<String, String> unsupported,
            Map<String, String> metadata) {
        this.path = path;
        this.fileName = path.getFileName().toString();
        this.channel = channel;
        this.mode = mode;
        this.dataStart = dataStart;
        this.whole = whole;
        this.windowBytes = windowBytes;
        this.tensors = tensors;
        this.names = Collections.unmodifiableSet(tensors.keySet());
        this.unsupported = Collections.unmodifiableMap(unsupported);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Opens and validates {@code path}; throws {@link SafetensorsFormatException} naming the file on any defect. */
    public static SafetensorsFile open(Path path) throws IOException {
        return open(path, WHOLE_MAP_LIMIT, WINDOW_BYTES);
    }

    /** For tests: the size up to which the file is mapped at once, and the window size beyond it. */
    static SafetensorsFile open(Path path, long wholeMapLimit, int windowBytes) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such safetensors file");
        }
        FileChannel channel;
        FileChannel.MapMode mode;
        try {
            // READ+WRITE only because PRIVATE mappings require it; nothing is ever written to the file.
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            mode = FileChannel.MapMode.PRIVATE;
        } catch (FileSystemException | UnsupportedOperationException e) {
            // a read-only file or file system: map read-only; rawBytes() then hands out copies
            channel = FileChannel.open(path, StandardOpenOption.READ);
            mode = FileChannel.MapMode.READ_ONLY;
        }
        try {
            return read(path, channel, mode, wholeMapLimit, windowBytes);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static SafetensorsFile read(Path path, FileChannel channel, FileChannel.MapMode mode, long wholeMapLimit,
            int windowBytes) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw defect(path, "file is " + size + " bytes long, too short for the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lenBuf, 0);
        long headerLen = lenBuf.getLong(0);
        if (headerLen < 0) {
            throw defect(path, "header length is negative (" + headerLen + " as a signed 64-bit integer)");
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw defect(path, "header length " + headerLen + " exceeds the limit of " + MAX_HEADER_BYTES
                    + " bytes");
        }
        if (8 + headerLen > size) {
            throw defect(path, "header length " + headerLen + " reaches beyond the end of the file ("
                    + size + " bytes)");
        }
        ByteBuffer header = ByteBuffer.allocate((int) headerLen);
        readFully(channel, header, 8);
        JsonNode root;
        try {
            root = JSON.readTree(header.array());
        } catch (JsonProcessingException e) {
            throw defect(path, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw defect(path, "header is not valid JSON: it is empty");
        }
        if (!root.isObject()) {
            throw defect(path, "header is not a JSON object but " + describe(root));
        }
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        String fileName = path.getFileName().toString();

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> all = new ArrayList<>();
        Map<String, String> unsupported = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode node = field.getValue();
            if (name.equals("__metadata__")) {
                readMetadata(path, node, metadata);
                continue;
            }
            all.add(readEntry(path, fileName, name, node, dataSize, unsupported));
        }
        checkCoverage(path, all, dataSize);

        Map<String, Entry> supported = new LinkedHashMap<>();
        for (Entry e : all) {
            if (e.info != null) {
                supported.put(e.info.name(), e);
            }
        }
        MappedByteBuffer whole = null;
        if (size <= wholeMapLimit) {
            whole = channel.map(mode, 0, size);
        }
        return new SafetensorsFile(path, channel, mode, dataStart, whole, windowBytes, supported, unsupported,
                metadata);
    }

    private static void readMetadata(Path path, JsonNode node, Map<String, String> out) throws IOException {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw defect(path, "__metadata__ must be a JSON object of strings, found " + describe(node));
        }
        for (Map.Entry<String, JsonNode> f : node.properties()) {
            if (!f.getValue().isTextual()) {
                throw defect(path, "__metadata__ value of '" + f.getKey() + "' must be a string, found "
                        + describe(f.getValue()));
            }
            out.put(f.getKey(), f.getValue().asText());
        }
    }

    /** Returns an entry whose info is null for a known dtype lem does not convert (recorded in unsupported). */
    private static Entry readEntry(Path path, String fileName, String name, JsonNode node, long dataSize,
            Map<String, String> unsupported) throws IOException {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw defect(path, where + " must be a JSON object with dtype, shape and data_offsets, found "
                    + describe(node));
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw defect(path, where + " has no dtype string");
        }
        String dtypeName = dtypeNode.asText();
        Integer bits = KNOWN_DTYPE_BITS.get(dtypeName);
        if (bits == null) {
            throw defect(path, where + " has unknown dtype '" + dtypeName + "'");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw defect(path, where + " has no shape array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw defect(path, where + " has an invalid dimension " + d + " in shape " + shapeNode);
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw defect(path, where + " needs data_offsets [begin, end]");
        }
        for (JsonNode o : offsets) {
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0) {
                throw defect(path, where + " has invalid data_offsets " + offsets);
            }
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (end < begin) {
            throw defect(path, where + " has data_offsets " + offsets + " that end before they begin");
        }
        if (end > dataSize) {
            throw defect(path, where + " has data_offsets " + offsets + " out of range: the data section holds "
                    + dataSize + " bytes");
        }
        long elements = 1;
        long totalBits;
        try {
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            totalBits = Math.multiplyExact(elements, (long) bits);
        } catch (ArithmeticException e) {
            throw defect(path, where + " has a shape " + shapeNode + " too large to address");
        }
        if (totalBits % 8 != 0 || totalBits / 8 != end - begin) {
            String need = totalBits % 8 == 0 ? (totalBits / 8) + " bytes" : totalBits + " bits";
            throw defect(path, where + " has shape " + shapeNode + " of " + dtypeName + " (" + elements
                    + " elements = " + need + ") but data_offsets " + offsets + " span " + (end - begin)
                    + " bytes");
        }
        DType dtype;
        switch (dtypeName) {
            case "F32":
                dtype = DType.F32;
                break;
            case "F16":
                dtype = DType.F16;
                break;
            case "BF16":
                dtype = DType.BF16;
                break;
            default:
                unsupported.put(name, dtypeName);
                return new Entry(null, begin, end);
        }
        return new Entry(new TensorInfo(name, dtype, shape, fileName), begin, end);
    }

    private static void checkCoverage(Path path, List<Entry> all, long dataSize) throws IOException {
        List<Entry> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin < expected) {
                throw defect(path, "tensor " + label(e) + " bytes [" + e.begin + ", " + e.end + ") overlap tensor "
                        + label(previous) + " bytes [" + previous.begin + ", " + previous.end + ")");
            }
            if (e.begin > expected) {
                throw defect(path, "data bytes [" + expected + ", " + e.begin + ") are not covered by any tensor"
                        + " (next tensor " + label(e) + ")");
            }
            expected = e.end;
            previous = e;
        }
        if (expected != dataSize) {
            throw defect(path, "data bytes [" + expected + ", " + dataSize + ") at the end of the file are not "
                    + "covered by any tensor");
        }
    }

    private static String label(Entry e) {
        return e.info != null ? "'" + e.info.name() + "'" : "(unsupported dtype)";
    }

    private static String describe(JsonNode node) {
        switch (node.getNodeType()) {
            case ARRAY:
                return "an array";
            case STRING:
                return "a string";
            case NUMBER:
                return "a number";
            case BOOLEAN:
                return "a boolean";
            case NULL:
                return "null";
            default:
                return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static SafetensorsFormatException defect(Path path, String what) {
        return new SafetensorsFormatException(path + ": " + what);
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new SafetensorsFormatException("unexpected end of file");
            }
            pos += n;
        }
    }

    public Path path() {
        return path;
    }

    /** Whether the file is mapped copy-on-write (true) or read-only because it could not be opened for writing. */
    public boolean isPrivateMapping() {
        return mode == FileChannel.MapMode.PRIVATE;
    }

    @Override
    public Set<String> names() {
        return names;
    }

    @Override
    public TensorInfo info(String name) {
        return entry(name).info;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Map<String, String> unsupportedTensors() {
        return unsupported;
    }

    private Entry entry(String name) {
        Entry e = tensors.get(name);
        if (e == null) {
            String dtype = unsupported.get(name);
            if (dtype != null) {
                throw new IllegalArgumentException("tensor '" + name + "' in " + fileName + " has dtype " + dtype
                        + ", which lem cannot convert to float32 (it reads F32, F16 and BF16)");
            }
            throw new IllegalArgumentException("no tensor '" + name + "' in " + path);
        }
        return e;
    }

    @Override
    public float[] floats(String name) throws IOException {
        Entry e = entry(name);
        long count = e.info.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new IOException("tensor '" + name + "' in " + path + " has " + count
                    + " elements, too many for one Java array; read it with readInto");
        }
        float[] out = new float[(int) count];
        int written = 0;
        for (long pos = e.begin; pos < e.end; ) {
            int len = chunk(e, pos);
            ByteBuffer bytes = region(pos, len);
            int n = len / e.info.dtype().bytes();
            HalfFloats.decode(e.info.dtype(), bytes, out, written, n);
            written += n;
            pos += len;
        }
        return out;
    }

    @Override
    public void readInto(String name, FloatBuffer dst) throws IOException {
        Entry e = entry(name);
        long count = e.info.elementCount();
        if (dst.remaining() < count) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + count + " elements but the buffer has "
                    + dst.remaining() + " remaining");
        }
        for (long pos = e.begin; pos < e.end; ) {
            int len = chunk(e, pos);
            HalfFloats.decode(e.info.dtype(), region(pos, len), dst, len / e.info.dtype().bytes());
            pos += len;
        }
    }

    @Override
    public ByteBuffer rawBytes(String name) throws IOException {
        Entry e = entry(name);
        if (e.length() > Integer.MAX_VALUE) {
            throw new IOException("tensor '" + name + "' in " + path + " has " + e.length()
                    + " bytes, too many for one ByteBuffer; read it with readInto");
        }
        ByteBuffer region = region(e.begin, (int) e.length());
        if (mode == FileChannel.MapMode.PRIVATE) {
            return region.order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(region.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(region).flip();
        return copy;
    }

    /** Bytes of the next window of a tensor starting at data offset {@code pos}: whole elements, at most a window. */
    private int chunk(Entry e, long pos) {
        if (whole != null) {
            return (int) (e.end - pos);
        }
        int elem = e.info.dtype().bytes();
        long max = (windowBytes / elem) * (long) elem;
        return (int) Math.min(max, e.end - pos);
    }

    /** A buffer over data bytes [pos, pos+len), position 0, independent of other callers. */
    private ByteBuffer region(long pos, int len) throws IOException {
        if (closed) {
            throw new IOException(path + " is closed");
        }
        long abs = dataStart + pos;
        if (whole != null) {
            return whole.slice((int) abs, len);
        }
        return channel.map(mode, abs, len);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
