package io.lem.runner.events;

import io.lem.api.event.Envelope;
import io.lem.api.event.LemEvent;
import io.lem.api.event.PowerSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventEmitterTest {

    /** Records what reaches it, in arrival order. */
    private static class RecordingSink implements EventSink {
        final List<LemEvent> events = new ArrayList<>();

        @Override
        public synchronized void send(LemEvent event) {
            events.add(event);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        synchronized List<LemEvent> events() {
            return List.copyOf(events);
        }
    }

    @Test
    @Timeout(30)
    void concurrentEmittersReachTheSinkInSeqOrder() throws Exception {
        RecordingSink sink = new RecordingSink();
        EventEmitter emitter = new EventEmitter("exp", 3, "host-a", sink);
        int threads = 4;
        int perThread = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        long n = i;
                        emitter.emit(env -> thread % 2 == 0 ? TestEvents.mixed(env, n)
                                : new PowerSample(env, "gpu:" + thread, 100, "test"));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        List<LemEvent> events = sink.events();
        assertThat(events).hasSize(threads * perThread);
        for (int i = 0; i < events.size(); i++) {
            Envelope envelope = events.get(i).envelope();
            assertThat(envelope.seq()).as("position %d", i).isEqualTo(i);
            assertThat(envelope.key()).isEqualTo("exp/3");
            assertThat(envelope.host()).isEqualTo("host-a");
        }
        assertThat(emitter.lastSeq()).isEqualTo(threads * perThread - 1L);
    }

    @Test
    void aFailedFactoryOrSinkDoesNotUseUpASeq() {
        RecordingSink sink = new RecordingSink();
        EventEmitter emitter = new EventEmitter("exp", 0, "h", sink);
        emitter.emit(env -> TestEvents.mixed(env, 0));
        assertThatThrownBy(() -> emitter.emit(env -> {
            throw new IllegalStateException("sensor gone");
        })).hasMessage("sensor gone");
        EventEmitter failing = new EventEmitter("exp", 1, "h", new RecordingSink() {
            @Override
            public synchronized void send(LemEvent event) {
                throw new IllegalStateException("disk full");
            }
        });
        assertThatThrownBy(() -> failing.emit(env -> TestEvents.mixed(env, 0))).hasMessage("disk full");
        assertThat(failing.nextSeq()).isZero();
        assertThat(failing.lastSeq()).isEqualTo(-1);

        emitter.emit(env -> TestEvents.mixed(env, 1));
        assertThat(sink.events()).extracting(e -> e.envelope().seq()).containsExactly(0L, 1L);
    }

    @Test
    void rejectsAnEventNotBuiltOnItsEnvelope() {
        EventEmitter emitter = new EventEmitter("exp", 0, "h", new RecordingSink());
        assertThatThrownBy(() -> emitter.emit(env -> TestEvents.mixed(Envelope.now("exp", 0, 7, "h"), 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("envelope it is given");
        assertThat(emitter.nextSeq()).isZero();
    }

    @Test
    void resumesNumberingAtAGivenSeq() {
        RecordingSink sink = new RecordingSink();
        EventEmitter emitter = new EventEmitter("exp", 0, "h", sink, 300);
        assertThat(emitter.lastSeq()).isEqualTo(299);
        emitter.emit(env -> TestEvents.mixed(env, 0));
        assertThat(sink.events().get(0).envelope().seq()).isEqualTo(300);
    }
}
