package io.lem.runner.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The runner processes of one experiment on one host, meeting at the edges of their run windows so that every window
 * on the host spans the same time: each opens its window once all have warmed up ({@link #START}), starts generating
 * once every window is open ({@link #OPEN}; without it the last to arrive at the start could generate for a few
 * milliseconds before rank 0's window, the host's, had opened), and closes it once all have generated their last batch
 * ({@link #END}). With an idle baseline they also measure it together, between
 * {@link #IDLE} and {@link #IDLE_END}, so that no peer is loading a model or warming up while the host is measured
 * as idle.
 *
 * <p>Why: host-level meters (RAPL, the CPU and RAM models) run in local rank 0 only, so they measure rank 0's window.
 * Without the meeting that window held rank 0's own batches alone, and the joules the host drew while the other
 * processes ran before or after them went uncounted (in the two-process quickstart, about 40 % of the experiment's
 * wall time). A GPU whose process finished early keeps drawing power until the last one ends, and the experiment held
 * it: its window stays open too.
 *
 * <p>Files in {@code <lemHome>/runs/<experimentId>/peers/<host>/}, each written atomically and holding the writer's
 * pid: {@code joined-R} when local rank R starts; {@code idle-R}, {@code idle-end-R}, {@code start-R}, {@code open-R}, {@code end-R} when it
 * reaches a point; {@code left-R} when it is done (completed, failed or cancelled). A peer is waited for while it is
 * alive and has not left; a peer whose process is gone, or that never joined within {@link #absentLimit}, is not, and
 * the meeting says whom it lacked.
 * A process waits on a watch of the directory, so it goes on within about a millisecond of the last arrival.
 *
 * <p>One instance per process; not thread-safe.
 */
public final class LocalPeers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalPeers.class);

    static final String IDLE = "idle";
    static final String IDLE_END = "idle-end";
    static final String START = "start";
    static final String OPEN = "open";
    static final String END = "end";
    private static final String JOINED = "joined";
    private static final String LEFT = "left";
    /** Longest wait between two looks at the peers' files. */
    private static final Duration POLL = Duration.ofMillis(50);
    /** A peer that joined and is alive is waited for this long at most (it may load a large model slowly). */
    static final Duration DEFAULT_PEER_LIMIT = Duration.ofMinutes(30);
    /** A peer that has not even joined is waited for this long at most (a wrong local world size, a crashed JVM). */
    static final Duration DEFAULT_ABSENT_LIMIT = Duration.ofMinutes(2);

    /**
     * How a meeting went: how long this process waited, which local ranks it went on without, and whether it stopped
     * waiting because it was asked to (a cancellation) rather than because the others had come.
     */
    record Meeting(String point, long waitedNanos, List<Integer> without, boolean stopped) {
        Meeting {
            without = List.copyOf(without);
        }
    }

    private final Path dir;
    private final int localRank;
    private final int localWorldSize;
    private final long pid = ProcessHandle.current().pid();
    private final Duration peerLimit;
    private final Duration absentLimit;
    private boolean left;

    private LocalPeers(Path dir, int localRank, int localWorldSize, Duration peerLimit, Duration absentLimit) {
        this.dir = dir;
        this.localRank = localRank;
        this.localWorldSize = localWorldSize;
        this.peerLimit = peerLimit;
        this.absentLimit = absentLimit;
    }

    /** The meeting directory of one experiment on one host. */
    static Path directory(Path lemHome, String experimentId, String host) {
        return experimentDirectory(lemHome, experimentId).resolve(safeName(host));
    }

    private static Path experimentDirectory(Path lemHome, String experimentId) {
        return lemHome.resolve("runs").resolve(safeName(experimentId)).resolve("peers");
    }

    /**
     * Deletes the meeting files of an experiment on every host that shares {@code lemHome}: what a launcher does
     * before it starts the experiment's local processes (an id used again must not find the last run's files) and
     * after they have exited. Best effort: what cannot be deleted is logged.
     */
    public static void forget(Path lemHome, String experimentId) {
        Path dir = experimentDirectory(lemHome, experimentId);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            // the experiment's directory under runs/ too, unless it holds something else (a derived config)
            try (Stream<Path> rest = Files.list(dir.getParent())) {
                if (rest.findAny().isEmpty()) {
                    Files.deleteIfExists(dir.getParent());
                }
            }
        } catch (IOException | UncheckedIOException e) {
            log.warn("cannot delete the meeting files in {}: {}", dir, e.toString());
        }
    }

    /**
     * Joins the meetings of the {@code localWorldSize} processes of this experiment on this host, as local rank
     * {@code localRank}: clears what an earlier process of the same rank left there, then writes {@code joined-R}.
     *
     * @throws UncheckedIOException when the directory cannot be written
     */
    static LocalPeers join(Path dir, int localRank, int localWorldSize) {
        return join(dir, localRank, localWorldSize, DEFAULT_PEER_LIMIT, DEFAULT_ABSENT_LIMIT);
    }

    static LocalPeers join(Path dir, int localRank, int localWorldSize, Duration peerLimit, Duration absentLimit) {
        if (localWorldSize < 2) {
            throw new IllegalArgumentException("localWorldSize must be >= 2 to meet anyone, was " + localWorldSize);
        }
        if (localRank < 0 || localRank >= localWorldSize) {
            throw new IllegalArgumentException("localRank must be in [0, " + localWorldSize + "), was " + localRank);
        }
        LocalPeers peers = new LocalPeers(dir, localRank, localWorldSize, peerLimit, absentLimit);
        try {
            Files.createDirectories(dir);
            for (String point : List.of(IDLE, IDLE_END, START, END, LEFT)) {
                Files.deleteIfExists(peers.file(point, localRank));
            }
            peers.mark(JOINED);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the local meeting directory " + dir
                    + " (set LEM_HOME to a writable directory)", e);
        }
        return peers;
    }

    /**
     * Arrives at {@code point} and waits until every other local rank has arrived there too, or has left, or is gone,
     * or until {@code stop} (asked between polls) says to stop waiting.
     */
    Meeting meet(String point, BooleanSupplier stop) throws InterruptedException {
        // watching the directory wakes this process as soon as the last peer arrives (the windows then open within
        // about a millisecond of each other); the timed poll also notices peers that died, and covers file systems
        // that send no events (NFS)
        try (WatchService watch = watch()) {
            try {
                mark(point);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file(point, localRank), e);
            }
            long start = System.nanoTime();
            List<Integer> waitingFor = new ArrayList<>();
            List<Integer> without = new ArrayList<>();
            boolean announced = false;
            while (true) {
                waitingFor.clear();
                without.clear();
                long waited = System.nanoTime() - start;
                for (int r = 0; r < localWorldSize; r++) {
                    if (r == localRank) {
                        continue;
                    }
                    switch (peer(r, point, waited)) {
                        case ARRIVED -> { }
                        case WAITING -> waitingFor.add(r);
                        case GONE -> without.add(r);
                    }
                }
                if (waitingFor.isEmpty()) {
                    return met(point, System.nanoTime() - start, without, announced);
                }
                if (stop.getAsBoolean()) {
                    return new Meeting(point, System.nanoTime() - start, waitingFor, true);
                }
                if (!announced && waited >= TimeUnit.SECONDS.toNanos(1)) {
                    log.info("local rank {} waits at '{}' for local rank(s) {}", localRank, point, waitingFor);
                    announced = true;
                }
                if (watch == null) {
                    Thread.sleep(POLL.toMillis());
                } else {
                    WatchKey key = watch.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
                    if (key != null) {
                        key.pollEvents();
                        key.reset();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch the local meeting directory " + dir, e);
        }
    }

    private Meeting met(String point, long waitedNanos, List<Integer> without, boolean announced) {
        Meeting meeting = new Meeting(point, waitedNanos, without, false);
        if (!without.isEmpty()) {
            log.warn("local rank {} goes on at '{}' without local rank(s) {} (gone, left, or never joined {}): the run "
                    + "windows on this host may not cover their batches", localRank, point, without, dir);
        } else if (announced) {
            log.info("local rank {}: every local process reached '{}' after {} ms", localRank, point,
                    TimeUnit.NANOSECONDS.toMillis(waitedNanos));
        }
        return meeting;
    }

    /** A watch on the directory's new and replaced files, or null where the file system offers none. */
    private WatchService watch() {
        try {
            WatchService watch = dir.getFileSystem().newWatchService();
            try {
                dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
                return watch;
            } catch (IOException | UnsupportedOperationException e) {
                watch.close();
                return null;
            }
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Leaves every meeting to come: the other ranks stop waiting for this one. Idempotent. */
    @Override
    public void close() {
        if (left) {
            return;
        }
        left = true;
        try {
            mark(LEFT);
        } catch (IOException e) {
            log.warn("cannot mark local rank {} as left in {}: {}; its peers wait until this process is gone",
                    localRank, dir, e.toString());
        }
    }

    private enum PeerState { ARRIVED, WAITING, GONE }

    private PeerState peer(int rank, String point, long waitedNanos) {
        OptionalLong joined = readPid(file(JOINED, rank));
        if (joined.isEmpty()) {
            return waitedNanos >= absentLimit.toNanos() ? PeerState.GONE : PeerState.WAITING;
        }
        // what an earlier process of that rank left behind does not count: the pid must be the joined one's
        if (samePid(file(point, rank), joined.getAsLong())) {
            return PeerState.ARRIVED;
        }
        if (samePid(file(LEFT, rank), joined.getAsLong()) || !alive(joined.getAsLong())
                || waitedNanos >= peerLimit.toNanos()) {
            return PeerState.GONE;
        }
        return PeerState.WAITING;
    }

    private boolean samePid(Path file, long pid) {
        OptionalLong written = readPid(file);
        return written.isPresent() && written.getAsLong() == pid;
    }

    private static boolean alive(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        return handle.isPresent() && handle.get().isAlive();
    }

    private static OptionalLong readPid(Path file) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty(); // not there yet, being replaced, or not ours: read again at the next poll
        }
    }

    /** Writes {@code <what>-<rank>} with this pid, atomically, so a reader never sees half of it. */
    private void mark(String what) throws IOException {
        Path target = file(what, localRank);
        Path tmp = dir.resolve("." + target.getFileName() + "." + pid + ".tmp");
        Files.writeString(tmp, Long.toString(pid), StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Path file(String what, int rank) {
        return dir.resolve(what + "-" + rank);
    }

    /** A path element from an id or host name: what is not a letter, digit, '.', '_' or '-' becomes '_'. */
    static String safeName(String text) {
        String safe = text.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() || safe.equals(".") || safe.equals("..") ? "_" + safe : safe;
    }
}
