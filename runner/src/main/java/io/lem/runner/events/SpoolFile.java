package io.lem.runner.events;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The write-ahead spool of one process: an append-only JSONL file of encoded events, the same format as
 * {@link FileEventSink}, so {@code lem events import} reads a left-over spool like any event file.
 *
 * <p>Positions are logical: bytes since this spool was created, unaffected by {@link #dropPrefix} cutting delivered
 * events off the front. {@link #append} comes from sending threads; reading, compaction and closing belong to the one
 * delivery thread. {@link #force} may come from anyone. Between {@link #hold} and {@link #release} appends are
 * gathered in memory and written with one system call; positions and seqs count only what is written.
 */
final class SpoolFile {
    static final String SPOOL_SUFFIX = ".spool.jsonl";
    private static final String RECOVERED_INFIX = ".recovered-";
    private static final String COMPACT_SUFFIX = ".compact.tmp";
    private static final String LOCK_SUFFIX = ".spool.lock";

    private final Path path;
    private final Path lockPath;
    private final FileChannel lockChannel;
    private final List<Path> leftovers;
    private FileChannel writer;
    private FileChannel reader;
    /**
     * Lines on their way to the file (guarded by this): one at a time, or while {@link #hold held} every line
     * appended since, written together.
     */
    private final ByteBuffer lineBuffer = ByteBuffer.allocateDirect(64 * 1024);
    /** Appends are gathered in {@link #lineBuffer} until {@link #release}. */
    private boolean holding;
    /** Seqs of the first and last line in {@link #lineBuffer}; -1 when it is empty. */
    private long bufferedFirstSeq = -1;
    private long bufferedLastSeq = -1;
    /** Seq of the last line appended, in the file or still in {@link #lineBuffer}. */
    private long appendedSeq = -1;
    private long end;
    private long dropped;
    private long firstSeq = -1;
    private long lastSeq = -1;
    private boolean sealed;
    private IOException broken;

    private SpoolFile(Path path, Path lockPath, FileChannel lockChannel, List<Path> leftovers) throws IOException {
        this.path = path;
        this.lockPath = lockPath;
        this.lockChannel = lockChannel;
        this.leftovers = List.copyOf(leftovers);
        this.writer = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        this.reader = FileChannel.open(path, StandardOpenOption.READ);
        this.end = writer.size();
        if (end != 0) {
            writer.close();
            reader.close();
            throw new IOException("spool " + path + " is not empty; set earlier spools aside first");
        }
    }

    /** The spool of one process: {@code <spoolDir>/<url-encoded experimentId>.p<processIndex>.spool.jsonl}. */
    static Path pathFor(Path spoolDir, String experimentId, int processIndex) {
        return spoolDir.resolve(baseName(experimentId, processIndex) + SPOOL_SUFFIX);
    }

    /**
     * Renames a spool left by an earlier sink of the same process (closed while Kafka was down, or crashed) to
     * {@code <base>.recovered-<millis>.spool.jsonl}, so the new sink starts an empty spool, and lists every such file
     * still waiting for delivery, oldest first.
     */
    static List<Path> setAsideLeftovers(Path spoolDir, String experimentId, int processIndex) throws IOException {
        Path spool = pathFor(spoolDir, experimentId, processIndex);
        // A crash mid-compaction leaves the temp copy beside the complete original: the original wins.
        Files.deleteIfExists(spool.resolveSibling(spool.getFileName() + COMPACT_SUFFIX));
        String base = baseName(experimentId, processIndex);
        if (Files.exists(spool)) {
            if (Files.size(spool) == 0) {
                Files.delete(spool);
            } else {
                Path aside = uniqueRecoveredName(spoolDir, base);
                Files.move(spool, aside, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        List<Path> leftovers = new ArrayList<>();
        try (Stream<Path> files = Files.list(spoolDir)) {
            files.filter(f -> {
                String name = f.getFileName().toString();
                return isRecovered(name, base);
            }).sorted().forEach(leftovers::add);
        }
        return leftovers;
    }

    /**
     * The non-empty spool files of one process in {@code spoolDir}: its spool and any set aside as recovered. What a
     * sink that died (a runner killed outright) left undelivered.
     */
    static List<Path> filesOf(Path spoolDir, String experimentId, int processIndex) throws IOException {
        if (!Files.isDirectory(spoolDir)) {
            return List.of();
        }
        String base = baseName(experimentId, processIndex);
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(spoolDir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = f.getFileName().toString();
                if ((name.equals(base + SPOOL_SUFFIX) || isRecovered(name, base)) && Files.size(f) > 0) {
                    found.add(f);
                }
            }
        }
        return found;
    }

    /** Whether {@code name} is a spool of process {@code base} set aside for delivery. */
    private static boolean isRecovered(String name, String base) {
        return name.startsWith(base + RECOVERED_INFIX) && name.endsWith(SPOOL_SUFFIX);
    }

    /**
     * Opens a fresh spool for one process, holding {@code <base>.spool.lock} while it is open so that a second sink of
     * the same process (in this JVM or another) cannot take the file over. A spool left by an earlier sink is set
     * aside first; {@link #leftovers()} lists those waiting for delivery.
     *
     * @throws IllegalStateException when another open sink holds this process's spool
     */
    static SpoolFile open(Path spoolDir, String experimentId, int processIndex) throws IOException {
        Files.createDirectories(spoolDir);
        Path lockPath = spoolDir.resolve(baseName(experimentId, processIndex) + LOCK_SUFFIX);
        FileChannel lockChannel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        boolean locked = false;
        try {
            try {
                locked = lockChannel.tryLock() != null;
            } catch (OverlappingFileLockException e) {
                locked = false;
            }
            if (!locked) {
                throw new IllegalStateException("the spool of " + experimentId + "/" + processIndex + " in " + spoolDir
                        + " is in use by another open event sink");
            }
            List<Path> leftovers = setAsideLeftovers(spoolDir, experimentId, processIndex);
            return new SpoolFile(pathFor(spoolDir, experimentId, processIndex), lockPath, lockChannel, leftovers);
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            if (locked) {
                Files.deleteIfExists(lockPath);
            }
            throw e;
        }
    }

    /** Spools of earlier sinks of this process, set aside when this one opened, oldest first. */
    List<Path> leftovers() {
        return leftovers;
    }

    Path path() {
        return path;
    }

    /**
     * Appends one encoded event as a line, written at once unless the spool is {@link #hold held}. Seqs must follow
     * each other (the spool's line order is its delivery order and the delivery thread counts seqs by lines). A failed
     * write leaves the spool unusable for appends.
     */
    synchronized void append(long seq, byte[] encoded) throws IOException {
        if (sealed) {
            throw new IllegalStateException("event sink for spool " + path + " is closed");
        }
        if (broken != null) {
            throw new IOException("spool " + path + " failed earlier: " + broken.getMessage(), broken);
        }
        if (appendedSeq >= 0 && seq != appendedSeq + 1) {
            throw new IllegalArgumentException("events of one process must be sent in seq order: got seq " + seq
                    + " after " + appendedSeq);
        }
        if (encoded.length + 1 > lineBuffer.remaining()) {
            writeBuffered();
        }
        if (encoded.length + 1 <= lineBuffer.remaining()) {
            // the usual event: one copy into a reused direct buffer, which a heap buffer would be copied to anyway
            lineBuffer.put(encoded).put((byte) '\n');
            bufferedFirstSeq = bufferedFirstSeq < 0 ? seq : bufferedFirstSeq;
            bufferedLastSeq = seq;
            appendedSeq = seq;
            if (!holding) {
                writeBuffered();
            }
            return;
        }
        byte[] line = Arrays.copyOf(encoded, encoded.length + 1); // longer than the buffer: on its own
        line[encoded.length] = '\n';
        appendedSeq = seq;
        write(ByteBuffer.wrap(line), seq, seq);
    }

    /**
     * From now until {@link #release}, appends are gathered in memory and written together: a burst of events costs
     * one write system call instead of one per event (about 2 µs each here). What is gathered is invisible to the
     * delivery thread until written, and lost if the process dies first, as are events still queued in memory before
     * they reach the spool.
     */
    synchronized void hold() {
        holding = true;
    }

    /** Writes what was gathered since {@link #hold} and writes each append at once again. */
    synchronized void release() throws IOException {
        holding = false;
        writeBuffered();
    }

    /** Holding the lock: writes the lines in {@link #lineBuffer}, if any. */
    private void writeBuffered() throws IOException {
        if (lineBuffer.position() == 0) {
            return;
        }
        long first = bufferedFirstSeq;
        long last = bufferedLastSeq;
        lineBuffer.flip();
        bufferedFirstSeq = -1;
        bufferedLastSeq = -1;
        try {
            write(lineBuffer, first, last);
        } finally {
            lineBuffer.clear();
        }
    }

    /** Holding the lock: writes whole lines of seqs {@code first} to {@code last} and counts them as appended. */
    private void write(ByteBuffer lines, long first, long last) throws IOException {
        int length = lines.remaining();
        try {
            while (lines.hasRemaining()) {
                writer.write(lines);
            }
        } catch (IOException e) {
            broken = e;
            throw e;
        }
        end += length;
        if (firstSeq < 0) {
            firstSeq = first;
        }
        lastSeq = last;
        notifyAll();
    }

    /** Logical end: every byte ever written (appended and not held in memory). */
    synchronized long end() {
        return end;
    }

    /** Logical position of the first byte still in the file. */
    synchronized long dropped() {
        return dropped;
    }

    /** Seq of the first event written to this spool, -1 before the first. */
    synchronized long firstSeq() {
        return firstSeq;
    }

    /** Seq of the last event written (not held in memory), -1 before the first. */
    synchronized long lastSeq() {
        return lastSeq;
    }

    /** Waits until the spool grows beyond {@code position}, it is sealed, {@link #wake()} is called, or time passes. */
    synchronized void awaitBeyond(long position, long millis) throws InterruptedException {
        if (end <= position && !sealed && millis > 0) {
            wait(millis);
        }
    }

    /** Waits up to {@code millis}, or until an append or {@link #wake()}; unlike awaitBeyond, also once sealed. */
    synchronized void pause(long millis) throws InterruptedException {
        wait(millis);
    }

    synchronized void wake() {
        notifyAll();
    }

    /** No more appends: the sink is closing. What is held in memory is written first. */
    synchronized void seal() throws IOException {
        sealed = true;
        holding = false;
        try {
            writeBuffered();
        } finally {
            notifyAll();
        }
    }

    /** Reads from a logical position. Delivery thread only. */
    int read(long position, ByteBuffer into) throws IOException {
        return reader.read(into, position - dropped);
    }

    /** fsyncs everything appended so far, held lines included. */
    void force() throws IOException {
        synchronized (this) {
            writeBuffered();
        }
        while (true) {
            FileChannel channel;
            synchronized (this) {
                channel = writer;
            }
            try {
                channel.force(false);
                return;
            } catch (ClosedChannelException e) {
                synchronized (this) {
                    if (writer == channel) {
                        throw e;
                    }
                }
                // Compaction swapped the file (and fsynced the new one): fsync the new one for what came after.
            }
        }
    }

    /**
     * Removes everything before logical position {@code cut} (events verified in Kafka). When nothing follows the cut,
     * the file is truncated; otherwise the rest is copied to a new file that atomically replaces this one. The bulk of
     * the copy happens without the lock; appends stall only for the few lines that arrive meanwhile.
     */
    void dropPrefix(long cut) throws IOException {
        long snapshot;
        long base;
        synchronized (this) {
            if (cut <= dropped) {
                return;
            }
            if (cut > end) {
                throw new IllegalArgumentException("cut " + cut + " beyond end " + end);
            }
            if (cut == end) {
                writer.truncate(0);
                dropped = end;
                return;
            }
            snapshot = end;
            base = dropped;
        }
        Path tmp = path.resolveSibling(path.getFileName() + COMPACT_SUFFIX);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            copy(cut - base, snapshot - base, out);
            out.force(false);
            synchronized (this) {
                copy(snapshot - base, end - base, out);
                out.force(false);
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                FileChannel newWriter = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                FileChannel newReader = FileChannel.open(path, StandardOpenOption.READ);
                writer.close();
                reader.close();
                writer = newWriter;
                reader = newReader;
                dropped = cut;
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory();
    }

    /** Closes the file, keeping it on disk, and releases the process's lock. */
    synchronized void close() throws IOException {
        sealed = true;
        try {
            writer.close();
            reader.close();
        } finally {
            // Deleting before releasing: a sink opening meanwhile locks a fresh file instead of this one.
            Files.deleteIfExists(lockPath);
            lockChannel.close();
        }
    }

    /** Closes and deletes the file: everything in it is in Kafka. */
    synchronized void delete() throws IOException {
        try {
            Files.deleteIfExists(path);
        } finally {
            close();
        }
    }

    private void copy(long from, long to, FileChannel out) throws IOException {
        long position = from;
        while (position < to) {
            long moved = reader.transferTo(position, to - position, out);
            if (moved <= 0) {
                throw new IOException("spool " + path + " ended at " + position + ", expected " + to + " bytes");
            }
            position += moved;
        }
    }

    /** Makes the rename durable; where the file system cannot fsync a directory, the old (superset) file survives. */
    private void syncDirectory() {
        Path dir = path.toAbsolutePath().getParent();
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Best effort: a lost rename only means re-checking events that are already delivered.
        }
    }

    private static String baseName(String experimentId, int processIndex) {
        return URLEncoder.encode(experimentId, StandardCharsets.UTF_8) + ".p" + processIndex;
    }

    private static Path uniqueRecoveredName(Path spoolDir, String base) {
        long stamp = System.currentTimeMillis();
        while (true) {
            Path candidate = spoolDir.resolve(base + RECOVERED_INFIX + stamp + SPOOL_SUFFIX);
            if (!Files.exists(candidate)) {
                return candidate;
            }
            stamp++;
        }
    }
}
