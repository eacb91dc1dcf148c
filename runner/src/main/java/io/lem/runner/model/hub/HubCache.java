package io.lem.runner.model.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The hub cache of one model repository, laid out as Python's {@code huggingface_hub} lays it out, so both share it:
 *
 * <pre>
 * &lt;cache&gt;/models--org--name/
 *     refs/&lt;revision&gt;                  the commit hash the revision (branch or tag) pointed to, no newline
 *     blobs/&lt;etag&gt;                      file contents, named by the ETag (git sha1, or sha256 for LFS files)
 *     blobs/&lt;etag&gt;.incomplete           a download in progress, resumable
 *     snapshots/&lt;commit&gt;/&lt;file&gt;         relative symlink to ../../blobs/&lt;etag&gt;
 *     .no_exist/&lt;commit&gt;/&lt;file&gt;         empty: the file does not exist at that commit (checked once)
 * &lt;cache&gt;/.locks/models--org--name/&lt;etag&gt;.lock
 * </pre>
 */
final class HubCache {

    static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SAFE_ETAG = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path root;
    private final String folder;
    private final Path repo;

    HubCache(Path root, String repoId) {
        this.root = root;
        this.folder = "models--" + repoId.replace("/", "--");
        this.repo = root.resolve(folder);
    }

    Path repoDir() {
        return repo;
    }

    Path snapshotDir(String commit) {
        return repo.resolve("snapshots").resolve(commit);
    }

    Path snapshotFile(String commit, String file) {
        return snapshotDir(commit).resolve(file);
    }

    /** The commit of {@code revision}: itself when it is a commit hash, else what refs/ remembers, else null. */
    String commitFor(String revision) throws IOException {
        if (COMMIT.matcher(revision).matches()) {
            return revision;
        }
        Path ref = refFile(revision);
        if (!Files.isRegularFile(ref)) {
            return null;
        }
        String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
        return COMMIT.matcher(commit).matches() ? commit : null;
    }

    void writeRef(String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = refFile(revision);
        if (Files.isRegularFile(ref) && Files.readString(ref, StandardCharsets.UTF_8).trim().equals(commit)) {
            return;
        }
        Files.createDirectories(ref.getParent());
        Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
        Files.writeString(tmp, commit, StandardCharsets.UTF_8);
        Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Path refFile(String revision) {
        Path refs = repo.resolve("refs");
        Path ref = refs.resolve(revision).normalize();
        if (!ref.startsWith(refs) || ref.equals(refs)) {
            throw new IllegalArgumentException("invalid revision '" + revision + "'");
        }
        return ref;
    }

    boolean knownMissing(String commit, String file) {
        return Files.exists(repo.resolve(".no_exist").resolve(commit).resolve(file));
    }

    void markMissing(String commit, String file) throws IOException {
        Path marker = repo.resolve(".no_exist").resolve(commit).resolve(file);
        Files.createDirectories(marker.getParent());
        try {
            Files.createFile(marker);
        } catch (FileAlreadyExistsException e) {
            // already known
        }
    }

    static boolean isSafeEtag(String etag) {
        return SAFE_ETAG.matcher(etag).matches();
    }

    Path blob(String etag) {
        return repo.resolve("blobs").resolve(etag);
    }

    Path incomplete(String etag) {
        return repo.resolve("blobs").resolve(etag + ".incomplete");
    }

    /**
     * Points {@code snapshots/<commit>/<file>} at the blob with a relative symlink ({@code ../../blobs/<etag>}, one
     * more {@code ..} per directory level of {@code file}); copies the blob where symlinks are not supported.
     */
    Path link(String commit, String file, String etag) throws IOException {
        Path pointer = snapshotFile(commit, file);
        Files.createDirectories(pointer.getParent());
        Path blob = blob(etag);
        Path target = pointer.getParent().relativize(blob);
        if (Files.isSymbolicLink(pointer) && Files.readSymbolicLink(pointer).equals(target)) {
            return pointer;
        }
        // a temporary link renamed over the pointer: atomic, so concurrent resolvers never see a missing file
        Path tmp = pointer.resolveSibling("." + pointer.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createSymbolicLink(tmp, target);
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, pointer, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return pointer;
    }

    interface Lock extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    Lock lockBlob(String etag) throws IOException {
        Path lockFile = root.resolve(".locks").resolve(folder).resolve(etag + ".lock");
        Files.createDirectories(lockFile.getParent());
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(),
                k -> new ReentrantLock());
        jvmLock.lock();
        FileChannel channel = null;
        FileLock fileLock;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            fileLock = channel.lock();
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            jvmLock.unlock();
            throw e;
        }
        FileChannel ch = channel;
        return () -> {
            try {
                fileLock.release();
                ch.close();
            } finally {
                jvmLock.unlock();
            }
        };
    }
}
