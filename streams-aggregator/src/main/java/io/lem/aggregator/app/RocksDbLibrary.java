package io.lem.aggregator.app;

import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Loads RocksDB's JNI library from a directory lem keeps, once per library build, instead of letting RocksDB copy
 * it into a fresh {@code /tmp/librocksdbjni<random>.so} in every process. RocksDB deletes its copy only when the JVM
 * exits normally, so every aggregator killed outright (SIGKILL, the OOM killer, a crash test) left 15 MB in
 * {@code /tmp}; a directory of its own also saves writing those 15 MB at every start.
 *
 * <p>The library is process-wide: the first aggregator of a JVM decides where it comes from, later calls do nothing.
 * Anything that goes wrong here (an unsupported platform, an unwritable directory, a RocksDB that looks elsewhere)
 * leaves the loading to RocksDB's own loader, as before, and says why at DEBUG.
 */
public final class RocksDbLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(RocksDbLibrary.class);
    private static Path loadedFrom;
    private static boolean attempted;

    private RocksDbLibrary() {
    }

    /**
     * Loads the library from {@code dir} (creating it and extracting the library on first use), unless this JVM
     * already tried. Null: RocksDB's own loader, when Kafka Streams first needs it.
     *
     * @return the file the library was loaded from, or null when RocksDB's own loader is left to do it
     */
    public static synchronized Path load(Path dir) {
        if (attempted || dir == null) {
            return loadedFrom;
        }
        attempted = true;
        // the name RocksDB.loadLibrary(paths) looks for in each path, from the same call it makes
        String fileName = Environment.getJniLibraryFileName("rocksdbjni");
        String resource = Environment.getJniLibraryFileName("rocksdb");
        try {
            URL url = RocksDB.class.getClassLoader().getResource(resource);
            if (url == null) {
                LOG.debug("RocksDB has no bundled library {} for this platform; its own loader decides", resource);
                return null;
            }
            URLConnection connection = url.openConnection();
            long size = connection.getContentLengthLong();
            Path versionDir = dir.resolve(contentKey(connection, size));
            Path target = versionDir.resolve(fileName);
            if (!Files.isRegularFile(target) || (size >= 0 && Files.size(target) != size)) {
                extract(url, versionDir, target);
            }
            RocksDB.loadLibrary(List.of(versionDir.toString()));
            loadedFrom = target;
            LOG.debug("RocksDB's library loaded from {}", target);
            return target;
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            LOG.debug("cannot load RocksDB's library from {} ({}); its own loader decides", dir, e.toString());
            return null;
        }
    }

    /** Names one build of the library: the jar entry's CRC and size (no need to read 15 MB to name it). */
    private static String contentKey(URLConnection connection, long size) throws IOException {
        long version = connection instanceof JarURLConnection jar ? jar.getJarEntry().getCrc()
                : connection.getLastModified();
        return "rocksdbjni-" + Long.toHexString(version) + "-" + size;
    }

    /** Writes the library beside its final name and moves it there, so a concurrent process never loads half a file. */
    private static void extract(URL url, Path versionDir, Path target) throws IOException {
        Files.createDirectories(versionDir);
        Path partial = Files.createTempFile(versionDir, target.getFileName().toString(), ".part");
        try {
            try (InputStream in = url.openStream()) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
