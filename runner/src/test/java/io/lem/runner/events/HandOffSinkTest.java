package io.lem.runner.events;

import io.lem.api.event.Envelope;
import io.lem.api.event.LemEvent;
import io.lem.runner.measure.BackgroundPriority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(60)
class HandOffSinkTest {

    /** Records each event with the thread that delivered it; can be told to fail at one seq or to wait at one. */
    private static final class RecordingSink implements EventSink {
        final List<Long> seqs = new ArrayList<>();
        final List<String> threads = new ArrayList<>();
        final List<Integer> nices = new ArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        volatile long failAt = -1;
        volatile long holdAt = -1;
        volatile int flushes;
        volatile boolean closed;
        /** Bursts begun and ended, and events sent outside one. */
        int bursts;
        boolean inBurst;
        int sentOutsideBurst;
        volatile String failEndBurst;

        @Override
        public void send(LemEvent event) {
            long seq = event.envelope().seq();
            if (seq == holdAt) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (seq == failAt) {
                throw new IllegalStateException("disk full at seq " + seq);
            }
            synchronized (this) {
                if (!inBurst) {
                    sentOutsideBurst++;
                }
                seqs.add(seq);
                threads.add(Thread.currentThread().getName());
                BackgroundPriority.currentThreadId()
                        .ifPresent(id -> BackgroundPriority.niceOf(id).ifPresent(nices::add));
            }
        }

        @Override
        public synchronized void beginBurst() {
            assertThat(inBurst).as("bursts do not nest").isFalse();
            inBurst = true;
        }

        @Override
        public synchronized void endBurst() {
            assertThat(inBurst).as("a burst ends once, after it began").isTrue();
            inBurst = false;
            bursts++;
            if (failEndBurst != null) {
                throw new IllegalStateException(failEndBurst);
            }
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {
            closed = true;
        }

        synchronized List<Long> seqs() {
            return List.copyOf(seqs);
        }
    }

    private static LemEvent event(long seq) {
        return TestEvents.mixed(Envelope.now("exp_h", 0, seq, "host"), seq);
    }

    @Test
    void eventsReachTheWrappedSinkInOrderOnTheWorkerThreadAndFlushWaitsForThem() {
        RecordingSink target = new RecordingSink();
        HandOffSink sink = new HandOffSink(target, "hand-off-test");
        for (long seq = 0; seq < 5_000; seq++) {
            sink.send(event(seq));
        }
        sink.flush();
        List<Long> seqs = target.seqs();
        assertThat(seqs).hasSize(5_000);
        for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).isEqualTo(i);
        }
        assertThat(target.threads).containsOnly("hand-off-test");
        assertThat(target.flushes).isEqualTo(1);
        sink.close();
        assertThat(target.closed).isTrue();
    }

    @Test
    void theWorkerKeepsThePriorityOfTheThreadsThatWaitForIt() {
        // the generation waits for the worker (its lock, the drain at the end of a window): a lowered worker made
        // those waits priority inversion (BackgroundPriority)
        assumeTrue(BackgroundPriority.currentNice().isPresent(), "Linux /proc only");
        int base = BackgroundPriority.currentNice().getAsInt();
        RecordingSink target = new RecordingSink();
        HandOffSink sink = new HandOffSink(target, "hand-off-nice");
        sink.send(event(0));
        sink.flush();
        assertThat(target.nices).containsExactly(base);
        sink.close();
    }

    @Test
    void anEmitterOnSeveralThreadsKeepsSeqOrderThroughTheHandOff() throws InterruptedException {
        RecordingSink target = new RecordingSink();
        HandOffSink sink = new HandOffSink(target, "hand-off-test");
        EventEmitter emitter = new EventEmitter("exp_h", 0, "host", sink);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> TestEvents.emitMixed(emitter, 2_000));
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        sink.close();
        List<Long> seqs = target.seqs();
        assertThat(seqs).hasSize(8_000);
        for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).isEqualTo(i);
        }
    }

    @Test
    void anIdleWorkerSleepsUntilSomethingIsQueuedAndThenTakesIt() throws InterruptedException {
        RecordingSink target = new RecordingSink();
        HandOffSink sink = new HandOffSink(target, "hand-off-test");
        sink.send(event(0));
        sink.flush();
        long before = sink.wakeups();
        // nothing queued for six intervals: a timed take would have woken six times (each a core taken from the
        // generation on a saturated host); an idle worker does not wake
        Thread.sleep(300);
        assertThat(sink.wakeups() - before).isLessThanOrEqualTo(1);
        // the next event still arrives on its own, without a flush
        sink.send(event(1));
        Conditions.await("the event queued after the idle spell to reach the wrapped sink", Duration.ofSeconds(10),
                () -> target.seqs().size() == 2);
        assertThat(target.seqs()).containsExactly(0L, 1L);
        sink.close();
    }

    @Test
    void sendReturnsWithoutWaitingForTheWrappedSink() throws InterruptedException {
        RecordingSink target = new RecordingSink();
        target.holdAt = 3;
        HandOffSink sink = new HandOffSink(target, "hand-off-test");
        // the worker is stuck inside the wrapped sink's send of seq 3; the emitting thread goes on regardless
        for (long seq = 0; seq < 100; seq++) {
            sink.send(event(seq));
        }
        assertThat(target.seqs()).hasSizeLessThanOrEqualTo(3);
        target.release.countDown();
        sink.close();
        assertThat(target.seqs()).hasSize(100);
    }

    @Test
    void closeWritesEverythingQueuedBeforeClosingTheWrappedSink() {
        RecordingSink target = new RecordingSink();
        HandOffSink sink = new HandOffSink(target, "hand-off-test");
        for (long seq = 0; seq < 1_000; seq++) {
            sink.send(event(seq));
        }
        sink.close();
        sink.close(); // idempotent
        assertThat(target.seqs()).hasSize(1_000);
        assertThat(target.closed).isTrue();
        assertThatThrownBy(() -> sink.send(event(1_000)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aFailureOfTheWrappedSinkIsReportedAsThrownAndTheOtherEventsStillGoThrough() {
        RecordingSink target = new RecordingSink();
        target.failAt = 10;
        HandOffSink sink = new HandOffSink(target, "hand-off-failure-test");
        for (long seq = 0; seq < 20; seq++) {
            sink.send(event(seq));
        }
        assertThatThrownBy(sink::flush)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("disk full at seq 10");
        assertThat(sink.failure()).hasMessage("disk full at seq 10");
        assertThat(target.seqs()).hasSize(19).doesNotContain(10L);
        // send does not throw it: the thread that emits next is not necessarily the one that should stop
        sink.send(event(20));
        sink.close();
        assertThat(target.closed).isTrue();
        assertThat(target.seqs()).hasSize(20).contains(20L);
    }

    @Test
    void theLastEventOfAStreamIsWrittenBeforeSendReturnsAndItsRefusalIsThrown() {
        RecordingSink target = new RecordingSink();
        HandOffSink sink = new HandOffSink(target, "hand-off-test");
        for (long seq = 0; seq < 50; seq++) {
            sink.send(event(seq));
        }
        sink.send(TestEvents.completed(Envelope.now("exp_h", 0, 50, "host")));
        assertThat(target.seqs()).as("written when send returned").hasSize(51);

        RecordingSink refusing = new RecordingSink();
        refusing.failAt = 1;
        HandOffSink second = new HandOffSink(refusing, "hand-off-test");
        second.send(event(0));
        assertThatThrownBy(() -> second.send(TestEvents.completed(Envelope.now("exp_h", 0, 1, "host"))))
                .hasMessage("disk full at seq 1");
        sink.close();
        second.close();
    }

    @Test
    void tasksRunOnTheWorkerInOrderAndWhatTheyEmitIsQueuedBehindWhatCameBefore() {
        RecordingSink target = new RecordingSink();
        HandOffSink sink = new HandOffSink(target, "hand-off-test");
        EventEmitter emitter = new EventEmitter("exp_h", 0, "host", sink);
        List<String> ranOn = new ArrayList<>();
        emitter.emit(env -> TestEvents.mixed(env, env.seq()));
        sink.later(() -> {
            ranOn.add(Thread.currentThread().getName());
            emitter.emit(env -> TestEvents.mixed(env, env.seq()));
        });
        sink.later(() -> {
            throw new IllegalStateException("an estimator broke");
        });
        emitter.emit(env -> TestEvents.mixed(env, env.seq()));
        sink.drain();
        assertThat(ranOn).containsExactly("hand-off-test");
        assertThat(sink.failure()).as("a failed task is not a failure of the sink").isNull();
        sink.send(TestEvents.completed(Envelope.now("exp_h", 0, emitter.nextSeq(), "host")));
        // seq 1 went to the event emitted on this thread after the task was queued, seq 2 to the task's
        assertThat(target.seqs()).containsExactly(0L, 1L, 2L, 3L);
        sink.close();
        assertThatThrownBy(() -> sink.later(() -> { })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void eachTakeOfTheWorkerIsOneBurstOfTheWrappedSink() {
        // a burst is what lets the spool write a take's events with one system call rather than one per event
        RecordingSink target = new RecordingSink();
        HandOffSink sink = new HandOffSink(target, "hand-off-test");
        for (long seq = 0; seq < 500; seq++) {
            sink.send(event(seq));
        }
        sink.flush();
        synchronized (target) {
            assertThat(target.seqs).hasSize(500);
            assertThat(target.sentOutsideBurst).isZero();
            assertThat(target.inBurst).as("ended before flush returned").isFalse();
            assertThat(target.bursts).as("500 events queued at once: a few takes, not one per event")
                    .isBetween(1, 100);
        }
        sink.close();
    }

    @Test
    void aBurstThatCannotBeWrittenIsTheFailureOfItsLastEvent() {
        RecordingSink target = new RecordingSink();
        target.failEndBurst = "spool write failed";
        HandOffSink sink = new HandOffSink(target, "hand-off-test");
        sink.send(event(0));
        assertThatThrownBy(() -> sink.send(TestEvents.completed(Envelope.now("exp_h", 0, 1, "host"))))
                .as("the stream's last event is the last of its burst").hasMessage("spool write failed");
        assertThat(sink.failure()).hasMessage("spool write failed");
        assertThatThrownBy(sink::flush).hasMessage("spool write failed");
        sink.close();
    }

    @Test
    void noFailureIsReportedWhileTheWrappedSinkTakesEveryEvent() {
        RecordingSink target = new RecordingSink();
        HandOffSink sink = new HandOffSink(target, "hand-off-test");
        sink.send(event(0));
        sink.flush();
        assertThat(sink.failure()).isNull();
        sink.close();
    }

    @Test
    void aSinkThatNeverSawAnEventClosesWithoutAWorker() {
        RecordingSink target = new RecordingSink();
        HandOffSink sink = new HandOffSink(target, "hand-off-unused-test");
        sink.flush();
        sink.close();
        assertThat(target.flushes).isEqualTo(1);
        assertThat(target.closed).isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("hand-off-unused-test"));
    }

    @Test
    void aFileSinkBehindTheHandOffHoldsEveryEventOnceFlushReturns(@TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("events.jsonl");
        HandOffSink sink = new HandOffSink(FileEventSink.open(file), "hand-off-test");
        EventEmitter emitter = new EventEmitter("exp_h", 0, "host", sink);
        TestEvents.emitMixed(emitter, 300);
        sink.flush();
        // flushed means written and fsynced: the file holds all 300 lines before close
        assertThat(Files.readAllLines(file)).hasSize(300);
        sink.close();
    }
}
