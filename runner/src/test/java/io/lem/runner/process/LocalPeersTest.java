package io.lem.runner.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The meeting of an experiment's processes on one host, on a real directory (the peers are threads here). */
class LocalPeersTest {

    private static final Duration LONG = Duration.ofMinutes(5);
    private static final BooleanSupplier NO_CHECK = () -> false;

    @TempDir
    Path dir;

    @Test
    void nobodyGoesOnUntilEveryRankHasArrived() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (LocalPeers rank0 = LocalPeers.join(dir, 0, 3, LONG, LONG);
             LocalPeers rank1 = LocalPeers.join(dir, 1, 3, LONG, LONG);
             LocalPeers rank2 = LocalPeers.join(dir, 2, 3, LONG, LONG)) {
            Future<LocalPeers.Meeting> first = pool.submit(() -> rank0.meet(LocalPeers.START, NO_CHECK));
            Future<LocalPeers.Meeting> second = pool.submit(() -> rank1.meet(LocalPeers.START, NO_CHECK));
            awaitFile(dir.resolve("start-0"));
            awaitFile(dir.resolve("start-1"));
            // both have arrived and wait for rank 2, which has not
            assertThat(first.isDone()).isFalse();
            assertThat(second.isDone()).isFalse();

            LocalPeers.Meeting last = rank2.meet(LocalPeers.START, NO_CHECK);

            assertThat(last.without()).isEmpty();
            assertThat(first.get(30, TimeUnit.SECONDS).without()).isEmpty();
            assertThat(second.get(30, TimeUnit.SECONDS).without()).isEmpty();
            assertThat(first.get().point()).isEqualTo(LocalPeers.START);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRankThatLeftIsNotWaitedFor() throws Exception {
        try (LocalPeers rank0 = LocalPeers.join(dir, 0, 2, LONG, LONG)) {
            LocalPeers rank1 = LocalPeers.join(dir, 1, 2, LONG, LONG);
            rank1.close(); // e.g. failed while loading its model

            LocalPeers.Meeting meeting = rank0.meet(LocalPeers.END, NO_CHECK);

            assertThat(meeting.without()).containsExactly(1);
        }
    }

    @Test
    void aRankWhoseProcessIsGoneIsNotWaitedFor() throws Exception {
        long deadPid = exitedProcessPid();
        Files.writeString(dir.resolve("joined-1"), Long.toString(deadPid)); // a runner killed with SIGKILL
        try (LocalPeers rank0 = LocalPeers.join(dir, 0, 2, LONG, LONG)) {
            assertThat(rank0.meet(LocalPeers.START, NO_CHECK).without()).containsExactly(1);
        }
    }

    @Test
    void aRankThatNeverJoinsIsWaitedForUpToTheAbsentLimit() throws Exception {
        try (LocalPeers rank0 = LocalPeers.join(dir, 0, 2, LONG, Duration.ofMillis(50))) {
            long start = System.nanoTime();
            LocalPeers.Meeting meeting = rank0.meet(LocalPeers.START, NO_CHECK);
            assertThat(meeting.without()).containsExactly(1);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Test
    void whatAnEarlierProcessOfARankLeftDoesNotCountAsArrived() throws Exception {
        long deadPid = exitedProcessPid();
        try (LocalPeers rank1 = LocalPeers.join(dir, 1, 2, LONG, LONG)) {
            // the last run of this experiment id reached 'end' as rank 0 and was not cleaned up
            Files.writeString(dir.resolve("end-0"), Long.toString(deadPid));
            Files.writeString(dir.resolve("left-0"), Long.toString(deadPid));
            try (LocalPeers rank0 = LocalPeers.join(dir, 0, 2, LONG, LONG)) {
                // joining cleared rank 0's leftovers
                assertThat(dir.resolve("end-0")).doesNotExist();
                assertThat(dir.resolve("left-0")).doesNotExist();
                CompletableFuture<LocalPeers.Meeting> waiting = CompletableFuture.supplyAsync(() -> {
                    try {
                        return rank1.meet(LocalPeers.END, NO_CHECK);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                // a stale 'end-0' written again under another pid is still not rank 0's arrival
                Files.writeString(dir.resolve("end-0"), Long.toString(deadPid));
                awaitFile(dir.resolve("end-1"));
                assertThat(waiting.isDone()).isFalse();

                assertThat(rank0.meet(LocalPeers.END, NO_CHECK).without()).isEmpty();
                assertThat(waiting.get(30, TimeUnit.SECONDS).without()).isEmpty();
            }
        }
    }

    @Test
    void aCancellationStopsTheWaitAndSaysWhoWasMissing() throws Exception {
        try (LocalPeers rank0 = LocalPeers.join(dir, 0, 2, LONG, LONG);
             LocalPeers rank1 = LocalPeers.join(dir, 1, 2, LONG, LONG)) {
            assertThat(rank1).isNotNull(); // joined and alive, never arrives
            CountDownLatch asked = new CountDownLatch(3);
            LocalPeers.Meeting meeting = rank0.meet(LocalPeers.END, () -> {
                asked.countDown();
                return asked.getCount() == 0;
            });
            assertThat(meeting.stopped()).isTrue();
            assertThat(meeting.without()).containsExactly(1);
            assertThat(asked.getCount()).isZero();
        }
    }

    @Test
    void forgetDeletesTheExperimentsMeetingFilesOfEveryHost() throws IOException {
        Path home = dir.resolve("home");
        Path hostA = LocalPeers.directory(home, "exp_1", "host-a");
        Path hostB = LocalPeers.directory(home, "exp_1", "host/b");
        Path other = LocalPeers.directory(home, "exp_2", "host-a");
        LocalPeers.join(hostA, 0, 2).close();
        LocalPeers.join(hostB, 1, 2).close();
        LocalPeers.join(other, 0, 2).close();
        assertThat(hostB.getFileName().toString()).isEqualTo("host_b");

        LocalPeers.forget(home, "exp_1");

        assertThat(hostA).doesNotExist();
        assertThat(hostB).doesNotExist();
        assertThat(home.resolve("runs").resolve("exp_1")).doesNotExist();
        assertThat(other.resolve("left-0")).exists();
        LocalPeers.forget(home, "exp_3"); // nothing there: nothing to do
    }

    @Test
    void joinChecksItsArguments() {
        assertThatThrownBy(() -> LocalPeers.join(dir, 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("localWorldSize");
        assertThatThrownBy(() -> LocalPeers.join(dir, 2, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("localRank must be in [0, 2)");
        assertThat(List.of(LocalPeers.safeName(".."), LocalPeers.safeName("a b"))).containsExactly("_..", "a_b");
    }

    private static long exitedProcessPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long pid = p.pid();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        return pid;
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(file)) {
            assertThat(System.nanoTime()).as("waiting for %s", file).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
