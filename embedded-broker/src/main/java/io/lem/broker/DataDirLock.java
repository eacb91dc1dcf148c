package io.lem.broker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a data dir to one embedded broker at a time, in this JVM or any other.
 *
 * <p>Kafka's own log dir lock does not cover this: in combined mode a second server's controller opens the metadata
 * log before the broker part takes that lock, and two raft clients on one metadata log corrupt it.
 */
final class DataDirLock implements AutoCloseable {

    static final String FILE_NAME = ".lem-broker.lock";

    private final FileChannel channel;
    private final FileLock lock;
    private volatile boolean kept;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirLock acquire(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new BrokerStartException("Cannot open lock file " + file + " in data dir " + dataDir + ": " + e, e);
        }
        FileLock lock = null;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // Held by this JVM: lock stays null.
        } catch (IOException e) {
            closeQuietly(channel);
            throw new BrokerStartException("Cannot lock data dir " + dataDir + ": " + e, e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new DataDirInUseException(dataDir, file);
        }
        return new DataDirLock(channel, lock);
    }

    /** Makes {@link #close()} a no-op: for a broker that would not stop and may still write to the dir. */
    void keepUntilJvmExit() {
        kept = true;
    }

    @Override
    public void close() {
        if (kept) {
            return;
        }
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel below releases it as well.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing left to release.
        }
    }
}
